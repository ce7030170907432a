"""The notifications' block on the home page: what is new on what the viewer
watches, and for admins, mail that is not getting through."""

import sqlalchemy as sa

from portal import signals
from portal.auth.permissions import is_admin
from portal.extensions import db
from portal.notifications import mail, service
from portal.notifications.models import MailMessage, Notification
from portal.signals import Panel

LIMIT = 6


def _mail_trouble() -> dict | None:
    """Failed mail, and mail that failed at least once and waits: for admins."""
    failed = db.session.scalar(
        sa.select(sa.func.count()).where(MailMessage.status == "failed")
    )
    retrying = db.session.scalar(
        sa.select(sa.func.count()).where(
            MailMessage.status == "queued", MailMessage.attempts > 0
        )
    )
    if not failed and not retrying:
        return None
    return {"failed": failed, "retrying": retrying}


def home_panel(viewer, **_):
    unread = list(
        db.session.scalars(
            service.notifications_for(viewer, order="newest")
            .where(Notification.read_at.is_(None))
            .limit(LIMIT)
        )
    )
    return Panel(
        "notifications/_home.html",
        {
            "unread": unread,
            # Fewer than the block lists are all there are: no need to count.
            "badge": service.badge_text(
                len(unread) if len(unread) < LIMIT else service.unread_count(viewer)
            ),
            "mail_trouble": _mail_trouble()
            if is_admin(viewer) and mail.enabled()
            else None,
        },
        order=10,
    )


def init_app(app) -> None:
    signals.home_panels.connect(home_panel)
