"""The accounts' block on the home page: the viewer's accounts and what changed
about them lately; for someone who manages none, their department's accounts.

What changed is asked of the other packages over ``account_timeline``, with the
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


def recent_changes(account, viewer, limit: int = EVENTS) -> list:
    """Return the newest timeline events of ``account`` the viewer may see."""
    events = []
    for _receiver, answer in signals.account_timeline.send(
        account, viewer=viewer, before=None, limit=limit
    ):
        events.extend(answer or [])
    events.sort(key=lambda e: e.when, reverse=True)
    return events[:limit]


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
        return Panel(
            "accounts/_home_mine.html",
            {
                "rows": [(a, recent_changes(a, viewer)) for a in mine],
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
