"""The point rules and settings: defaults in code, admins' overrides in the database.

The defaults follow Stack Exchange's reputation (an upvoted answer is worth
more than an upvoted question, a downvote costs the voter a little, an
accepted answer is worth most) scaled down where Discourse and Odoo karma
reward plain activity, which KCS warns corrupts a knowledge base: posting an
answer earns little, being found useful earns much.

The Experts and Handover packages add their own rules with ``register_rule``.
"""

import json
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal import clock
from portal.errors import Invalid, NotFound
from portal.extensions import db
from portal.incentives.models import SECI, IncentiveSetting, PointRule

MAX_POINTS = 1000


@dataclass(frozen=True)
class RuleDef:
    """A rule as the code defines it.

    ``capped``: the points count toward the daily cap on points from votes.
    ``derived``: ``recompute`` can derive the rule's awards from the content;
    a rule whose events leave no trace outside the ledger is left alone.
    """

    key: str
    points: int
    seci: str
    label: object  # a lazy string
    help: object = ""
    capped: bool = False
    derived: bool = True


@dataclass(frozen=True)
class Rule:
    """A rule in force: its definition with the admins' override applied."""

    key: str
    points: int
    enabled: bool
    seci: str
    label: str
    help: str
    capped: bool
    derived: bool
    default_points: int
    overridden: bool


RULES: dict[str, RuleDef] = {}


def register_rule(
    key: str,
    points: int,
    seci: str,
    label,
    help="",
    *,
    capped: bool = False,
    derived: bool = False,
) -> RuleDef:
    """Declare a rule (other packages call this from their ``init_app``).

    :raises ValueError: when the SECI mode is unknown.
    """
    if seci not in SECI:
        raise ValueError(f"unknown SECI mode {seci!r}")
    definition = RuleDef(key, points, seci, label, help, capped, derived)
    RULES[key] = definition
    return definition


# fmt: off
register_rule("answer_posted", 2, "socialization", _l("Answer posted"),
              _l("To the author of an answer to someone else's question."),
              derived=True)
register_rule("answer_upvoted", 10, "socialization", _l("Answer upvoted"),
              _l("To the author of an answer or reply, per upvote."),
              capped=True, derived=True)
register_rule("question_upvoted", 5, "socialization", _l("Question upvoted"),
              _l("To the author of a question or thread, per upvote."),
              capped=True, derived=True)
register_rule("post_downvoted", -2, "socialization", _l("Post downvoted"),
              _l("To the author of a post, per downvote."), derived=True)
register_rule("downvote_cast", -1, "socialization", _l("Downvote cast on an answer"),
              _l("To the voter: a small cost, so downvotes are meant."),
              derived=True)
register_rule("answer_accepted", 15, "internalization", _l("Answer accepted"),
              _l("To the author of the accepted answer (not for your own "
                 "question). Not capped."), derived=True)
register_rule("accepted_asker", 2, "socialization", _l("Accepted an answer"),
              _l("To the asker, for closing the question."), derived=True)
register_rule("wiki_revision", 5, "externalization", _l("Substantial wiki revision"),
              _l("To the author of a revision that changes at least the minimum "
                 "number of characters; once a day per page. Account profiles "
                 "count as combination."), derived=True)
register_rule("page_validated", 10, "externalization", _l("Page validated"),
              _l("To the page's main author, the first time it is validated."),
              derived=True)
register_rule("thread_written_up", 5, "externalization", _l("Thread written up"),
              _l("To each author whose posts were used in a wiki write-up."),
              derived=True)
register_rule("page_used", 2, "internalization", _l("Page reused"),
              _l("To a page's creator when someone else's page or post links it."),
              derived=True)
register_rule("endorsement_received", 5, "socialization", _l("Endorsement received"),
              _l("To a person whose skill a colleague endorses (Experts)."))
register_rule("handover_item_completed", 5, "externalization",
              _l("Handover item completed"),
              _l("To a departing colleague for each handover item written down "
                 "(Handover)."))
register_rule("handover_item_understood", 2, "internalization",
              _l("Handover item understood"),
              _l("To a successor for each handed-over item they reviewed and "
                 "understood (Handover)."))
# fmt: on

# The vote rules: their awards are keyed by the vote.
UPVOTE_RULES = ("answer_upvoted", "question_upvoted")
VOTE_RULES = (*UPVOTE_RULES, "post_downvoted", "downvote_cast")


def _effective(definition: RuleDef, override: PointRule | None) -> Rule:
    return Rule(
        key=definition.key,
        points=override.points if override else definition.points,
        enabled=override.enabled if override else True,
        seci=override.seci if override else definition.seci,
        label=str(definition.label),
        help=str(definition.help),
        capped=definition.capped,
        derived=definition.derived,
        default_points=definition.points,
        overridden=override is not None,
    )


def _unknown(key: str) -> NotFound:
    return NotFound(
        _("There is no point rule called “%(key)s”.", key=key),
        details={"field": "rule"},
    )


def rule(key: str) -> Rule:
    """Return the rule ``key`` as it is in force.

    :raises NotFound: when no rule has this key.
    """
    definition = RULES.get(key)
    if definition is None:
        raise _unknown(key)
    override = db.session.scalar(sa.select(PointRule).where(PointRule.key == key))
    return _effective(definition, override)


def all_rules() -> list[Rule]:
    """Return every rule in force, in the order they were declared."""
    overrides = {r.key: r for r in db.session.scalars(sa.select(PointRule))}
    return [_effective(d, overrides.get(k)) for k, d in RULES.items()]


def set_rule(key: str, *, points, enabled: bool, seci: str, actor=None) -> Rule:
    """Change a rule's points, switch it on or off, or move it to another SECI mode.

    Awards already made keep their points; ``flask incentives recompute
    --apply`` brings them in line.

    :raises NotFound: when no rule has this key.
    :raises Invalid: when the points are not a whole number within ±1000, or
        the SECI mode is unknown.
    """
    definition = RULES.get(key)
    if definition is None:
        raise _unknown(key)
    try:
        points = int(points)
    except (TypeError, ValueError):
        raise Invalid(
            _("Points must be a whole number."), details={"field": "points"}
        ) from None
    if abs(points) > MAX_POINTS:
        raise Invalid(
            _("Points must be between -%(n)d and %(n)d.", n=MAX_POINTS),
            details={"field": "points"},
        )
    if seci not in SECI:
        raise Invalid(_("Choose a SECI mode."), details={"field": "seci"})
    override = db.session.scalar(sa.select(PointRule).where(PointRule.key == key))
    if override is None:
        override = PointRule(key=key)
        db.session.add(override)
    override.points = points
    override.enabled = bool(enabled)
    override.seci = seci
    override.updated_at = clock.now()
    override.updated_by_id = actor.id if actor is not None else None
    db.session.flush()
    return _effective(definition, override)


def reset_rule(key: str) -> Rule:
    """Return rule ``key`` to its defaults.

    :raises NotFound: when no rule has this key.
    """
    definition = RULES.get(key)
    if definition is None:
        raise _unknown(key)
    db.session.execute(sa.delete(PointRule).where(PointRule.key == key))
    db.session.flush()
    return _effective(definition, None)


# --- settings -----------------------------------------------------------------------

DEFAULT_SETTINGS = {
    # Points a person can earn from votes in one UTC day (accepted answers
    # are not votes and are not capped).
    "daily_vote_cap": 200,
    # Characters added plus removed for a wiki revision to earn points.
    "revision_min_size": 200,
    # Leaderboard exclusions: department ids and roles.
    "excluded_departments": [],
    "excluded_roles": [],
    # Suspicious voting: upvotes from one person to another in one day, and
    # upvotes each way between two people within the window.
    "suspicious_daily_votes": 5,
    "suspicious_mutual_votes": 3,
    "suspicious_window_days": 30,
}

_INT_LIMITS = {
    "daily_vote_cap": (0, 100_000),
    "revision_min_size": (1, 100_000),
    "suspicious_daily_votes": (2, 1000),
    "suspicious_mutual_votes": (1, 1000),
    "suspicious_window_days": (1, 366),
}


def settings() -> dict:
    """Return every setting, stored values over the defaults."""
    values = dict(DEFAULT_SETTINGS)
    for row in db.session.scalars(sa.select(IncentiveSetting)):
        if row.key in values:
            values[row.key] = json.loads(row.value)
    return values


def setting(key: str):
    row = db.session.get(IncentiveSetting, key)
    return json.loads(row.value) if row is not None else DEFAULT_SETTINGS[key]


def update_settings(**values) -> dict:
    """Change settings; unknown names are refused, the others validated.

    :raises Invalid: when a value is out of range, names an unknown setting,
        role or department.
    """
    from portal.auth.models import ROLES, Department

    for key, value in values.items():
        if key not in DEFAULT_SETTINGS:
            raise Invalid(
                _("There is no setting called “%(key)s”.", key=key),
                details={"field": key},
            )
        if key in _INT_LIMITS:
            low, high = _INT_LIMITS[key]
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise Invalid(
                    _("Enter a whole number."), details={"field": key}
                ) from None
            if not low <= value <= high:
                raise Invalid(
                    _(
                        "Enter a number from %(low)d to %(high)d.",
                        low=low,
                        high=high,
                    ),
                    details={"field": key},
                )
        elif key == "excluded_roles":
            value = sorted(set(value or []))
            if any(role not in ROLES for role in value):
                raise Invalid(_("Unknown role."), details={"field": key})
        elif key == "excluded_departments":
            value = sorted({int(v) for v in value or []})
            known = set(
                db.session.scalars(
                    sa.select(Department.id).where(Department.id.in_(value))
                )
            )
            if set(value) - known:
                raise Invalid(_("Unknown department."), details={"field": key})
        row = db.session.get(IncentiveSetting, key)
        if row is None:
            row = IncentiveSetting(key=key)
            db.session.add(row)
        row.value = json.dumps(value)
        row.updated_at = clock.now()
    db.session.flush()
    return settings()
