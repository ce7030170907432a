"""The incentives' block on the home page: the viewer's points this month."""

import sqlalchemy as sa

from portal import signals
from portal.extensions import db
from portal.incentives import leaderboard
from portal.incentives.models import PointTotal
from portal.signals import Panel


def home_panel(viewer, **_):
    month = leaderboard.period("month")
    points = (
        db.session.scalar(
            sa.select(PointTotal.points).where(
                PointTotal.user_id == viewer.id,
                PointTotal.month == month.start.date(),
            )
        )
        or 0
    )
    standing = leaderboard.rank_of(viewer, month) if points else None
    return Panel(
        "incentives/_home_points.html",
        {"points": points, "standing": standing, "month": month},
        order=60,
    )


def init_app(app) -> None:
    signals.home_panels.connect(home_panel)
