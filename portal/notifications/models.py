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
