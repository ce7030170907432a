"""What the incentives add to people's profiles: points, this month's rank, badges."""

from portal import signals
from portal.incentives import badges, leaderboard, ledger, permissions
from portal.signals import Panel


def profile_panel(user, viewer=None, **_):
    earned = badges.badges_of(user.id)
    total = ledger.balance(user.id)
    own = viewer is not None and getattr(viewer, "id", None) == user.id
    if not total and not earned and not own:
        return None
    return Panel(
        "incentives/_profile_panel.html",
        {
            "user": user,
            "total": total,
            "month": leaderboard.rank_of(user, leaderboard.period("month")),
            "badges": earned,
            "can_view_points": permissions.can_view_points(viewer, user),
            "can_view_report": permissions.can_view_reports(viewer),
            "own": own,
        },
        order=15,
    )


def init_app(app) -> None:
    signals.profile_panels.connect(profile_panel)
