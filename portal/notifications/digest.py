"""Daily and weekly digests: one mail per person with what they chose to read
in bulk.

A digest covers a closed window of time in UTC (yesterday; last week, Monday
to Monday), so running the command twice, or again after a crash, finds the same
window. Each person's digest is recorded in ``digest_sends`` in the same
transaction that queues its mail: a person whose digest committed is skipped
next time, a person whose transaction did not commit gets it next time.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from portal import clock
from portal.auth.models import User
from portal.dbtypes import insert_unless_exists
from portal.extensions import db
from portal.notifications import mail
from portal.notifications.labels import mail_kind_label, notification_text
from portal.notifications.models import DIGEST_PERIODS, DigestSend, Notification
from portal.notifications.service import notifications_for

MAX_ITEMS = 50


@dataclass
class DigestResult:
    period: str
    window_start: datetime
    window_end: datetime
    queued: int = 0


def window(period: str, now: datetime | None = None) -> tuple[datetime, datetime]:
    """Return the last closed window of ``period`` before ``now``, in UTC.

    :raises ValueError: for a period other than daily or weekly.
    """
    if period not in DIGEST_PERIODS:
        raise ValueError(f"unknown digest period: {period!r}")
    now = now or clock.now()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "daily":
        return midnight - timedelta(days=1), midnight
    monday = midnight - timedelta(days=midnight.weekday())
    return monday - timedelta(days=7), monday


def _candidates(period: str, start: datetime, end: datetime) -> list[int]:
    """People with notifications in the window and no digest for it yet."""
    done = sa.select(DigestSend.user_id).where(
        DigestSend.period == period, DigestSend.window_start == start
    )
    return list(
        db.session.scalars(
            sa.select(Notification.user_id)
            .join(User, User.id == Notification.user_id)
            .where(
                Notification.created_at >= start,
                Notification.created_at < end,
                User.active.is_(True),
                User.left_at.is_(None),
                User.email.is_not(None),
                Notification.user_id.not_in(done),
            )
            .distinct()
            .order_by(Notification.user_id)
        )
    )


def items_for(user, period: str, start: datetime, end: datetime) -> list:
    """Return ``[(mail kind, [Notification])]`` for ``user``'s digest, in the
    settings' order, only what they may still read."""
    modes = mail.preferences(user)
    kinds = [kind for kind, mode in modes.items() if mode == period]
    if not kinds:
        return []
    covered = [n for kind in kinds for n in mail.MAIL_KINDS[kind][0]]
    rows = db.session.scalars(
        notifications_for(user, order="newest")
        .where(
            Notification.created_at >= start,
            Notification.created_at < end,
            Notification.kind.in_(covered),
        )
        .limit(MAX_ITEMS)
    ).all()
    by_kind: dict[str, list] = {}
    for row in rows:
        if mail.may_read(user, row):
            by_kind.setdefault(mail.KIND_OF[row.kind], []).append(row)
    return [(kind, by_kind[kind]) for kind in mail.MAIL_KINDS if kind in by_kind]


def _render(user, period: str, sections, start: datetime, end: datetime):
    with force_locale(mail._locale(user)):
        count = sum(len(rows) for _kind, rows in sections)
        context = {
            "user": user,
            "period": period,
            "title": _("Your daily digest")
            if period == "daily"
            else _("Your weekly digest"),
            "summary": ngettext(
                "%(num)d update since the last digest",
                "%(num)d updates since the last digest",
                count,
            ),
            "sections": [
                {
                    "label": mail_kind_label(kind),
                    "unsubscribe_url": mail.unsubscribe_url(user, kind),
                    "items": [
                        (notification_text(n), mail.absolute(n.url)) for n in rows
                    ],
                }
                for kind, rows in sections
            ],
            "settings_url": mail.absolute(mail._path("notifications.mail_settings")),
            "portal_url": mail.absolute("/"),
            "lang": mail.html_lang(user),
            "first_day": start.date().isoformat(),
            "last_day": (end - timedelta(days=1)).date().isoformat(),
        }
        subject = f"[Tacit] {context['title']}: {context['summary']}"
        text = render_template("notifications/mail/digest.txt", **context)
        html = render_template("notifications/mail/digest.html", **context)
    return subject, text, html


def digest_for(user, period: str, start: datetime, end: datetime):
    """Queue ``user``'s digest for the window unless it was queued before.

    Returns the mail, or None when there is nothing to send or it was sent.
    The caller commits.
    """
    if not user.email or not user.is_active:
        return None
    sections = items_for(user, period, start, end)
    if not sections:
        return None
    claimed = insert_unless_exists(
        db.session,
        DigestSend,
        user_id=user.id,
        period=period,
        window_start=start,
        created_at=clock.now(),
    )
    if not claimed:
        return None
    subject, text, html = _render(user, period, sections, start, end)
    message = mail.queue(
        user,
        kind=f"digest_{period}",
        subject=subject,
        text=text,
        html=html,
        unsubscribe=None,
    )
    db.session.execute(
        sa.update(DigestSend)
        .where(
            DigestSend.user_id == user.id,
            DigestSend.period == period,
            DigestSend.window_start == start,
        )
        .values(mail_id=message.id)
    )
    return message


def send_digests(period: str, now: datetime | None = None) -> DigestResult:
    """Queue the ``period`` digest of everyone who has one due, one commit
    per person."""
    start, end = window(period, now)
    result = DigestResult(period, start, end)
    if not mail.enabled():
        return result
    for user_id in _candidates(period, start, end):
        user = db.session.get(User, user_id)
        try:
            message = digest_for(user, period, start, end)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        if message is not None:
            result.queued += 1
    return result
