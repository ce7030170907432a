"""The accounts' block on the home page: the viewer's accounts and what changed
about them lately; for someone who manages none, their department's accounts.

What changed is asked of the other packages over ``accounts_recent_events`` (the
newest events of ``account_timeline``, for all the accounts at once), with the
viewer, so each answers only with what the viewer may see.
"""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal import signals
from portal.accounts.models import CustomerAccount, tier_rank_sql
from portal.auth.models import User
from portal.extensions import db
from portal.signals import Panel

ACCOUNTS = 5
EVENTS = 2


def recent_changes(accounts, viewer, limit: int = EVENTS) -> dict[int, list]:
    """Return the newest timeline events of each account the viewer may see,
    by account id: one ``accounts_recent_events`` signal for all of them."""
    found: dict[int, list] = {a.id: [] for a in accounts}
    for _receiver, answer in signals.accounts_recent_events.send(
        viewer, accounts=list(accounts), limit=limit
    ):
        for account_id, events in (answer or {}).items():
            found[account_id].extend(events)
    for events in found.values():
        events.sort(key=lambda e: e.when, reverse=True)
        del events[limit:]
    return found


def home_panel(viewer, **_):
    mine = list(
        db.session.scalars(
            sa.select(CustomerAccount)
            .where(CustomerAccount.account_manager_id == viewer.id)
            .order_by(CustomerAccount.updated_at.desc(), CustomerAccount.id.desc())
            .limit(ACCOUNTS)
        )
    )
    if mine:
        changes = recent_changes(mine, viewer)
        return Panel(
            "accounts/_home_mine.html",
            {
                "rows": [(a, changes[a.id]) for a in mine],
                "more_url": f"/accounts?manager={viewer.username}",
            },
            order=50,
        )
    stmt = sa.select(CustomerAccount).options(
        joinedload(CustomerAccount.account_manager)
    )
    if viewer.department_id is not None:
        stmt = stmt.where(
            CustomerAccount.account_manager_id.in_(
                sa.select(User.id).where(User.department_id == viewer.department_id)
            )
        )
    accounts = list(
        db.session.scalars(
            stmt.order_by(
                tier_rank_sql(CustomerAccount.tier), CustomerAccount.name
            ).limit(ACCOUNTS + 1)
        )
    )
    if not accounts:
        return None
    return Panel(
        "accounts/_home_department.html",
        {"accounts": accounts, "department": viewer.department},
        order=50,
    )


def init_app(app) -> None:
    signals.home_panels.connect(home_panel)
