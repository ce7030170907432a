"""Handover cases, their successors, and the items of their capture plan."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import clock
from portal.accounts.models import CustomerAccount
from portal.auth.models import User
from portal.dbtypes import Timestamps, UTCDateTime
from portal.extensions import db
from portal.wiki.models import Page

CASE_STATUSES = ("open", "in_progress", "closed")
ITEM_KINDS = ("account", "page", "question", "custom")
# pending → drafted (saved, not yet handed over) → captured (written down) →
# understood (the successor confirmed) or session (the successor asked to talk).
ITEM_STATUSES = ("pending", "drafted", "captured", "understood", "session")
DONE_STATUSES = ("captured", "understood", "session")


def _now() -> datetime:
    return clock.now()


class HandoverCase(Timestamps, db.Model):
    """One departing person's handover.

    ``footprint`` is a JSON snapshot of what they know (computed when the case
    opens, refreshed on demand), so the case page does not recompute it.
    """

    __tablename__ = "handover_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    leaver_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    opened_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True
    )
    leaving_on: Mapped[date] = mapped_column(sa.Date, index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="open", index=True)
    footprint: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    footprint_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True
    )
    note: Mapped[str] = mapped_column(sa.String(1000), default="")

    leaver: Mapped[User] = relationship(foreign_keys=[leaver_id])
    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    successor_links: Mapped[list["HandoverSuccessor"]] = relationship(
        back_populates="case",
        order_by="HandoverSuccessor.position",
        cascade="all, delete-orphan",
    )
    items: Mapped[list["HandoverItem"]] = relationship(
        back_populates="case",
        order_by="HandoverItem.position",
        cascade="all, delete-orphan",
    )

    __table_args__ = (sa.CheckConstraint(f"status IN {CASE_STATUSES}", name="status"),)

    @property
    def successors(self) -> list[User]:
        return [link.user for link in self.successor_links]

    @property
    def closed(self) -> bool:
        return self.status == "closed"

    @property
    def url(self) -> str:
        return f"/handover/{self.id}"

    def __repr__(self) -> str:
        return f"<HandoverCase {self.id} u{self.leaver_id} {self.status}>"


class HandoverSuccessor(db.Model):
    """A successor of a case; ``position`` 0 is the main one."""

    __tablename__ = "handover_successors"

    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("handover_cases.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(default=0)

    case: Mapped[HandoverCase] = relationship(back_populates="successor_links")
    user: Mapped[User] = relationship()


class HandoverItem(db.Model):
    """One thing to write down and hand over.

    ``kind`` says what it is about: an account (``prompt`` is one of the
    interview prompts), a page the leaver wrote, an open question, or an item
    HR added. The answer is kept here as it is typed (saved as a draft);
    capturing an account item also writes it into the account's profile page
    (``revision_id``).
    """

    __tablename__ = "handover_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("handover_cases.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20))
    prompt: Mapped[str] = mapped_column(sa.String(40), default="")
    title: Mapped[str] = mapped_column(sa.String(300))
    position: Mapped[int] = mapped_column(default=0)
    account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("customer_accounts.id"), index=True
    )
    page_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pages.id"), index=True)
    thread_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("threads.id"), index=True
    )
    successor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True
    )
    status: Mapped[str] = mapped_column(sa.String(20), default="pending", index=True)
    answer: Mapped[str] = mapped_column(sa.Text, default="")
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    revision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("revisions.id", ondelete="SET NULL"), index=True
    )
    review_note: Mapped[str] = mapped_column(sa.String(1000), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[HandoverCase] = relationship(back_populates="items")
    account: Mapped[CustomerAccount | None] = relationship()
    page: Mapped[Page | None] = relationship()
    successor: Mapped[User | None] = relationship(foreign_keys=[successor_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    __table_args__ = (
        sa.CheckConstraint(f"kind IN {ITEM_KINDS}", name="kind"),
        sa.CheckConstraint(f"status IN {ITEM_STATUSES}", name="status"),
    )

    @property
    def done(self) -> bool:
        """Written down (or handed over in person)."""
        return self.status in DONE_STATUSES

    @property
    def url(self) -> str:
        return f"/handover/{self.case_id}#item-{self.id}"

    def __repr__(self) -> str:
        return f"<HandoverItem {self.id} {self.kind} {self.status}>"
