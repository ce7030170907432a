"""Writing the ledger: awards, reversals, and bringing a part of it in line with
what the content says is due.

Every write goes through a SAVEPOINT: when two requests race to write the same
award (or reverse the same row), the loser's unique-key violation rolls back
only its savepoint and is ignored, so the user's own action still succeeds.
Nothing here commits.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from portal import clock
from portal.auth.models import User
from portal.extensions import db
from portal.incentives import rules as rules_module
from portal.incentives import totals
from portal.incentives.models import PointEntry, PointTotal

log = logging.getLogger(__name__)


def _begin() -> None:
    """Make sure a real transaction is open before a savepoint.

    The sqlite3 driver opens transactions lazily: a SAVEPOINT sent first would
    open the transaction itself and its RELEASE would commit it.
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if not raw.in_transaction:
            raw.execute("BEGIN")


def _insert(entry: PointEntry) -> PointEntry | None:
    _begin()
    try:
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
            # In the savepoint: a duplicate that fails leaves no total behind.
            totals.add(entry.user_id, entry.created_at, entry.points)
    except IntegrityError:
        # The same award (or reversal) was written a moment ago by a racing
        # request: it counts once, and this request carries on.
        return None
    return entry


def live_awards():
    """Return a select of the awards that nothing has reversed."""
    reversal = aliased(PointEntry)
    return (
        sa.select(PointEntry)
        .outerjoin(reversal, reversal.reverses_id == PointEntry.id)
        .where(PointEntry.reversal.is_(False), reversal.id.is_(None))
    )


def _latest(user_id: int, rule: str, key: str):
    """Return (latest award, its reversal or None) for one (user, rule, key)."""
    reversal = aliased(PointEntry)
    row = db.session.execute(
        sa.select(PointEntry, reversal)
        .outerjoin(reversal, reversal.reverses_id == PointEntry.id)
        .where(
            PointEntry.user_id == user_id,
            PointEntry.rule == rule,
            PointEntry.key == key,
            PointEntry.reversal.is_(False),
        )
        .order_by(PointEntry.generation.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (None, None)


def utc_day(moment: datetime) -> tuple[datetime, datetime]:
    start = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def capped_today(user_id: int, moment: datetime) -> int:
    """Return the points ``user_id`` has from live upvote awards on ``moment``'s
    UTC day: what the daily cap is measured against."""
    start, end = utc_day(moment)
    reversal = aliased(PointEntry)
    capped_rules = [r.key for r in rules_module.all_rules() if r.capped]
    return int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(PointEntry.points), 0))
            .outerjoin(reversal, reversal.reverses_id == PointEntry.id)
            .where(
                PointEntry.user_id == user_id,
                PointEntry.created_at >= start,
                PointEntry.created_at < end,
                PointEntry.rule.in_(capped_rules),
                PointEntry.reversal.is_(False),
                PointEntry.points > 0,
                reversal.id.is_(None),
            )
        )
    )


def _lock_recipient(user_id: int) -> None:
    """Serialise capped awards to one person, so two at once cannot both take
    the last of the cap. (SQLite serialises every writer anyway.)"""
    if db.session.get_bind().dialect.name == "postgresql":
        # NO KEY UPDATE: inserts that merely reference the user still proceed.
        db.session.execute(
            sa.select(User.id).where(User.id == user_id).with_for_update(key_share=True)
        )


def award(
    user_id: int | None,
    rule: str,
    *,
    source_type: str,
    source_id: int,
    key: str,
    actor_id: int | None = None,
    seci: str | None = None,
    points: int | None = None,
    note: str = "",
) -> PointEntry | None:
    """Award ``rule``'s points to ``user_id`` for the event ``key``, once.

    Nothing is written when the rule is off or worth nothing, when the event
    is already awarded and not reversed, or when a moderator reversed it.
    Awards of capped rules are clipped to what is left of the day's cap (a
    row with the clipped points, marked ``capped``, keeps the ledger
    explainable). Returns the new row, or None.

    :raises NotFound: when the rule does not exist.
    """
    if user_id is None:
        return None
    current = rules_module.rule(rule)
    if not current.enabled:
        return None
    value = current.points if points is None else points
    if value == 0:
        return None
    latest, reversed_by = _latest(user_id, rule, key)
    if latest is not None and (
        reversed_by is None or reversed_by.reason == "moderation"
    ):
        return None
    generation = latest.generation + 1 if latest is not None else 1
    now = clock.now()
    capped = False
    if current.capped and value > 0:
        _lock_recipient(user_id)
        cap = int(rules_module.setting("daily_vote_cap"))
        left = max(0, cap - capped_today(user_id, now))
        if value > left:
            value, capped = left, True
    return _insert(
        PointEntry(
            user_id=user_id,
            points=value,
            rule=rule,
            source_type=source_type,
            source_id=source_id,
            key=key,
            generation=generation,
            reversal=False,
            actor_id=actor_id,
            seci=seci or current.seci,
            capped=capped,
            note=note[:300],
            created_at=now,
        )
    )


def reverse(
    entry: PointEntry, reason: str, *, actor_id: int | None = None, note: str = ""
) -> PointEntry | None:
    """Write the reversal of ``entry`` (once: a second reversal is ignored)."""
    return _insert(
        PointEntry(
            user_id=entry.user_id,
            points=-entry.points,
            rule=entry.rule,
            source_type=entry.source_type,
            source_id=entry.source_id,
            key=entry.key,
            generation=entry.generation,
            reversal=True,
            reverses_id=entry.id,
            reason=reason,
            actor_id=actor_id if actor_id is not None else entry.actor_id,
            seci=entry.seci,
            capped=entry.capped,
            note=note[:300],
            created_at=clock.now(),
        )
    )


def reverse_where(*criteria, reason: str, actor_id=None, note: str = "") -> int:
    """Reverse every live award matching ``criteria``; return how many."""
    entries = list(db.session.scalars(live_awards().where(*criteria)))
    done = 0
    for entry in entries:
        if reverse(entry, reason, actor_id=actor_id, note=note) is not None:
            done += 1
    return done


def balance(user_id: int) -> int:
    """Return the person's points of all time: the sum of their monthly totals."""
    return int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(PointTotal.points), 0)).where(
                PointTotal.user_id == user_id
            )
        )
    )


# --- bringing the ledger in line with the content ----------------------------------


@dataclass(frozen=True)
class Expected:
    """An award the content says is due."""

    user_id: int
    rule: str
    key: str
    source_type: str
    source_id: int
    actor_id: int | None = None
    seci: str | None = None


@dataclass
class Difference:
    """Where the ledger and the content disagree about one award.

    ``kind`` is "missing" (due, not in the ledger), "extra" (in the ledger,
    not due) or "changed" (due with other points, after a rule change).
    """

    kind: str
    user_id: int
    rule: str
    key: str
    ledger: int
    expected: int


def _expected_points(item: Expected, rules: dict) -> int | None:
    current = rules.get(item.rule)
    if current is None or not current.enabled or current.points == 0:
        return None
    return current.points


def compare(expected: list[Expected], scope) -> tuple[list[Difference], dict]:
    """Compare the awards due with the ledger rows matching ``scope`` (a SQL
    clause on ``PointEntry``). Return the differences and, per difference
    key, what applying needs (the Expected and the live award)."""
    rules = {r.key: r for r in rules_module.all_rules()}
    due: dict[tuple, tuple[Expected, int]] = {}
    for item in expected:
        points = _expected_points(item, rules)
        if points is not None:
            due[(item.user_id, item.rule, item.key)] = (item, points)
    rows = db.session.scalars(
        sa.select(PointEntry).where(scope).order_by(PointEntry.id)
    ).all()
    by_key: dict[tuple, list[PointEntry]] = {}
    for row in rows:
        by_key.setdefault((row.user_id, row.rule, row.key), []).append(row)
    differences: list[Difference] = []
    plan: dict[tuple, tuple] = {}
    for k in set(due) | set(by_key):
        entries = by_key.get(k, [])
        reversed_ids = {e.reverses_id for e in entries if e.reversal}
        awards = [e for e in entries if not e.reversal]
        live = [e for e in awards if e.id not in reversed_ids]
        net = sum(e.points for e in entries)
        moderated = any(e.reversal and e.reason == "moderation" for e in entries)
        item, points = due.get(k, (None, None))
        if item is not None:
            if moderated and not live:
                continue  # a moderator took these points away for good
            if not live:
                differences.append(Difference("missing", *k, net, points))
                plan[k] = (item, None)
            elif len(live) == 1 and live[0].points != points:
                entry = live[0]
                if entry.capped and 0 <= entry.points <= points:
                    continue  # clipped by the daily cap: as due as it gets
                differences.append(Difference("changed", *k, net, points))
                plan[k] = (item, entry)
            elif len(live) > 1:
                differences.append(Difference("changed", *k, net, points))
                plan[k] = (item, live)
        elif live:
            differences.append(Difference("extra", *k, net, 0))
            plan[k] = (None, live)
    differences.sort(key=lambda d: (d.user_id, d.rule, d.key))
    return differences, plan


def apply(differences: list[Difference], plan: dict, reason: str) -> None:
    """Write the rows that make the ledger say what the content says."""
    for d in differences:
        item, live = plan[(d.user_id, d.rule, d.key)]
        if d.kind == "missing":
            _award_expected(item)
        elif d.kind == "extra":
            for entry in live:
                reverse(entry, reason)
        elif d.kind == "changed":
            for entry in live if isinstance(live, list) else [live]:
                reverse(entry, "recompute" if reason == "recompute" else reason)
            _award_expected(item)


def _award_expected(item: Expected) -> PointEntry | None:
    return award(
        item.user_id,
        item.rule,
        source_type=item.source_type,
        source_id=item.source_id,
        key=item.key,
        actor_id=item.actor_id,
        seci=item.seci,
    )


def sync(expected: list[Expected], scope, reason: str) -> list[Difference]:
    """Award what is due and reverse what is no longer due, within ``scope``.

    Used after rare events that change what many awards depend on (a post or
    page deleted or restored, a thread moved, an edit). Differences of
    points only (after a rule change) are left to ``recompute``.
    """
    differences, plan = compare(expected, scope)
    differences = [d for d in differences if d.kind != "changed"]
    apply(differences, plan, reason)
    return differences
