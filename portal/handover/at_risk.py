"""Knowledge at risk: who knows each account (from the evidence of the last
``HANDOVER_EVIDENCE_DAYS``), how much of it rests on one person or on people
who are leaving, and what a departure would take away.

Read only: nothing here writes. Who knows an account is remembered between
views while the account's versions stay (``risk_cache``).
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.accounts.models import CustomerAccount
from portal.auth.models import User
from portal.extensions import db
from portal.forums.permissions import reading_scope
from portal.handover import evidence, permissions, risk_cache
from portal.handover.models import HandoverCase

# One person holding at least this share of an account's knowledge is a risk.
TOP_SHARE_RISK = 0.6

LEVELS = ("high", "medium", "low")
_LEVEL_RANK = {level: n for n, level in enumerate(LEVELS)}


@dataclass
class AccountRisk:
    account: CustomerAccount
    level: str
    reason: str
    people: list  # (User, Evidence), best first
    top_share: float
    open_case: HandoverCase | None = None

    @property
    def level_rank(self) -> int:
        return _LEVEL_RANK[self.level]


def _period() -> str:
    days = evidence.window_days()
    if days == 365:
        return _("in the last year")
    return ngettext("in the last day", "in the last %(num)d days", days)


def _names(users) -> str:
    return ", ".join(u.display_name for u in users)


def assess(people, leaving: dict) -> tuple[str, str, HandoverCase | None]:
    """Return (level, reason in words, the open case that touches it).

    ``people`` are (User, Evidence) best first; ``leaving`` maps the user ids
    of people with an open handover to their case.
    """
    period = _period()
    n = len(people)
    cases = [leaving[u.id] for u, _e in people if u.id in leaving]
    case = cases[0] if cases else None
    if n == 0:
        return (
            "high",
            _(
                "Nobody has answered questions or written about this account "
                "%(period)s.",
                period=period,
            ),
            None,
        )
    top, top_e = people[0]
    if n == 1:
        reason = _(
            "Only %(name)s has answered questions or written about this account "
            "%(period)s.",
            name=top.display_name,
            period=period,
        )
        if case is not None:
            reason += " " + _(
                "%(name)s is leaving on %(date)s.",
                name=top.display_name,
                date=case.leaving_on.isoformat(),
            )
        return "high", reason, case
    staying = [u for u, _e in people if u.id not in leaving]
    goers = [u for u, _e in people if u.id in leaving]
    if goers and len(staying) <= 1:
        if staying:
            reason = ngettext(
                "%(names)s is leaving: only %(name)s would still know this account.",
                "%(names)s are leaving: only %(name)s would still know this account.",
                len(goers),
                names=_names(goers),
                name=staying[0].display_name,
            )
        else:
            reason = ngettext(
                "%(names)s is leaving: nobody would still know this account.",
                "%(names)s are leaving: nobody would still know this account.",
                len(goers),
                names=_names(goers),
            )
        return "high", reason, case
    percent = round(100 * top_e.share)
    if top_e.share >= TOP_SHARE_RISK:
        reason = _(
            "%(name)s holds %(percent)d%% of what is known about this account "
            "%(period)s.",
            name=top.display_name,
            percent=percent,
            period=period,
        )
        if goers:
            reason += " " + ngettext(
                "%(names)s is leaving soon.",
                "%(names)s are leaving soon.",
                len(goers),
                names=_names(goers),
            )
        return "medium", reason, case
    if n == 2:
        return (
            "medium",
            _(
                "Only %(a)s and %(b)s have answered questions or written about "
                "this account %(period)s.",
                a=people[0][0].display_name,
                b=people[1][0].display_name,
                period=period,
            ),
            case,
        )
    # Someone leaving matters when they know it best, or few would be left.
    if goers and (top.id in leaving or len(staying) <= 2):
        reason = ngettext(
            "%(names)s, who knows this account, is leaving soon.",
            "%(names)s, who know this account, are leaving soon.",
            len(goers),
            names=_names(goers),
        )
        return "medium", reason, case
    return (
        "low",
        _(
            "%(n)d people know this account; the one who knows most holds "
            "%(percent)d%%.",
            n=n,
            percent=percent,
        ),
        case,
    )


def _open_leavers() -> dict[int, HandoverCase]:
    cases = db.session.scalars(
        sa.select(HandoverCase).where(HandoverCase.status != "closed")
    )
    return {c.leaver_id: c for c in cases}


def risk_table(
    *, with_cases: bool = True, account_ids=None, viewer=None
) -> list[AccountRisk]:
    """Assess every account (or ``account_ids``): a few aggregate queries.

    With ``viewer``, from what they may read (see ``risk_for_account``).
    """
    stmt = sa.select(CustomerAccount)
    if account_ids is not None:
        stmt = stmt.where(CustomerAccount.id.in_(list(account_ids)))
    accounts = list(db.session.scalars(stmt))
    known = evidence.account_evidence(
        None if account_ids is None else [a.id for a in accounts], viewer=viewer
    )
    ids = {e.user_id for people in known.values() for e in people}
    users = {
        u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))
    }
    leaving = _open_leavers() if with_cases else {}
    out = []
    for account in accounts:
        people = [(users[e.user_id], e) for e in known.get(account.id, [])]
        level, reason, case = assess(people, leaving)
        out.append(
            AccountRisk(
                account,
                level,
                reason,
                people,
                people[0][1].share if people else 0.0,
                case,
            )
        )
    return out


def sort_risks(rows: list[AccountRisk], order: str = "risk") -> list[AccountRisk]:
    from portal.accounts.models import tier_rank

    def by_risk(r):
        return (r.level_rank, tier_rank(r.account.tier), -r.top_share, r.account.name)

    def by_tier(r):
        return (tier_rank(r.account.tier), r.level_rank, r.account.name)

    def by_name(r):
        return (r.account.name.lower(), r.account.id)

    key = {"tier": by_tier, "name": by_name}.get(order, by_risk)
    return sorted(rows, key=key)


def risk_for_account(
    account: CustomerAccount, *, with_cases: bool = True, viewer=None
) -> dict:
    """The account's risk as plain data (the account panel and the API use it):
    ``level``, ``reason``, ``people`` (who knows it, best first: id, username,
    name, score, share), ``top_share``, ``open_case`` (id, leaver, leaving_on,
    status; or None).

    Those who assess risk (HR, managers) see it from everything; any other
    ``viewer`` sees it from what they may read, so that a restricted forum does
    not tell outsiders who talks there about the customer.
    """
    if viewer is not None and permissions.can_view_risk(viewer):
        viewer = None
    # The words need names and the API usernames: not whole User rows, of
    # which a busy account has hundreds. Remembered until someone writes.
    since = evidence.window_start()
    scope = ("everything",) if viewer is None else reading_scope(viewer)
    people = risk_cache.remembered(
        account.id,
        scope,
        since,
        lambda: tuple(evidence.account_people(account.id, since=since, viewer=viewer)),
    )
    level, reason, case = assess(people, _open_leavers() if with_cases else {})
    return {
        "level": level,
        "reason": reason,
        "people": [
            {
                "id": u.id,
                "username": u.username,
                "name": u.display_name,
                "score": e.score,
                "share": e.share,
            }
            for u, e in people
        ],
        "top_share": people[0][1].share if people else 0.0,
        "open_case": None
        if case is None
        else {
            "id": case.id,
            "leaver": case.leaver.username,
            "leaving_on": case.leaving_on.isoformat(),
            "status": case.status,
        },
    }


@dataclass
class WhatIf:
    account: CustomerAccount
    before: int
    after: int
    remaining: list  # Users who would still know it


def what_if(person: User, rows: list[AccountRisk] | None = None) -> list[WhatIf]:
    """The accounts that would drop to one or no expert if ``person`` left."""
    rows = risk_table(with_cases=False) if rows is None else rows
    out = []
    for row in rows:
        ids = [u.id for u, _e in row.people]
        if person.id not in ids:
            continue
        remaining = [u for u, _e in row.people if u.id != person.id]
        if len(remaining) <= 1:
            out.append(WhatIf(row.account, len(ids), len(remaining), remaining))
    from portal.accounts.models import tier_rank

    out.sort(key=lambda w: (w.after, tier_rank(w.account.tier), w.account.name))
    return out
