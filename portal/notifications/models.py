"""Who watches what, and the notifications people receive."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import clock
from portal.auth.models import User
from portal.dbtypes import UTCDateTime
from portal.extensions import db

TARGETS = ("thread", "forum", "tag", "account", "page")


def _now() -> datetime:
    return clock.now()


class Watch(db.Model):
    """``user`` wants to hear about new things in or under a target."""

    __tablename__ = "watches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    target: Mapped[str] = mapped_column(sa.String(20))
    target_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)

    __table_args__ = (
        sa.UniqueConstraint("user_id", "target", "target_id"),
        # "Who watches this thread?" runs on every reply.
        sa.Index("ix_watches_target", "target", "target_id"),
        sa.CheckConstraint(f"target IN {TARGETS}", name="target"),
    )


class Notification(db.Model):
    """Something happened that ``user`` should know about.

    ``title`` and ``url`` are kept as they were, so the list needs no join to
    show them; ``target``/``target_id`` name what it is about, so that the list
    can hide what its reader may no longer see.
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(30))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    url: Mapped[str] = mapped_column(sa.String(500))
    target: Mapped[str] = mapped_column(sa.String(20))
    target_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])

    __table_args__ = (
        # The unread count in the navigation, on every page.
        sa.Index("ix_notifications_user_read", "user_id", "read_at"),
        # The notifications page: one person's, newest first.
        sa.Index("ix_notifications_user_created", "user_id", "created_at"),
        sa.Index("ix_notifications_target", "target", "target_id"),
    )

    @property
    def unread(self) -> bool:
        return self.read_at is None


# --- e-mail -----------------------------------------------------------------------

MAIL_MODES = ("immediately", "daily", "weekly", "never")
MAIL_STATUSES = ("queued", "sent", "failed")
DIGEST_PERIODS = ("daily", "weekly")


class MailPreference(db.Model):
    """How ``user`` wants e-mail about one kind of notification.

    No row means the kind's default (``mail.DEFAULT_MODES``).
    """

    __tablename__ = "mail_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(30))
    mode: Mapped[str] = mapped_column(sa.String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)

    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind"),
        sa.CheckConstraint(f"mode IN {MAIL_MODES}", name="mode"),
    )


class MailMessage(db.Model):
    """One e-mail in the outbox, rendered when it was queued.

    Rows are written in the transaction of what caused them and sent by
    ``flask mail flush``; a failed attempt sets ``next_attempt_at`` later and
    keeps the row, so a mail server that is down delays mail but loses none.
    ``failed`` is for errors a retry cannot fix (a refused address); an admin
    can queue those again.
    """

    __tablename__ = "mail_queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    to_addr: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    unsubscribe_url: Mapped[str | None] = mapped_column(sa.String(1000))
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    last_error: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()

    __table_args__ = (
        # The flush picks due mail: queued, oldest due first.
        sa.Index("ix_mail_queue_due", "status", "next_attempt_at"),
        # The admin page: newest first within a status.
        sa.Index("ix_mail_queue_status_created", "status", "created_at"),
        sa.CheckConstraint(f"status IN {MAIL_STATUSES}", name="status"),
    )


class DigestSend(db.Model):
    """A digest queued for one person, period and window: never twice.

    Written in the same transaction as the digest's mail, so a run that
    crashes half-way left either both or neither.
    """

    __tablename__ = "digest_sends"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    period: Mapped[str] = mapped_column(sa.String(10))
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    mail_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("mail_queue.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)

    __table_args__ = (
        sa.UniqueConstraint("user_id", "period", "window_start"),
        sa.CheckConstraint(f"period IN {DIGEST_PERIODS}", name="period"),
    )
