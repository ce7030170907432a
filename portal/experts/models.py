"""Experts: what people declare, the evidence of what they know, and the
questions routed to them.

Declared and inferred expertise are kept apart: ``Skill``, ``ExpertProfile``,
``WorkAccount`` and ``Endorsement`` are what people say; ``EvidenceDocument``,
``EvidenceTerm`` and ``Evidence`` are what the portal has seen them do, kept
current by the handlers and rebuilt by ``flask --app portal experts rebuild``.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import clock
from portal.accounts.models import CustomerAccount
from portal.auth.models import User
from portal.dbtypes import UTCDateTime
from portal.extensions import db
from portal.tags.models import Tag

LEVELS = (1, 2, 3)  # learning, practised, expert
AVAILABILITY = ("available", "busy", "away")
DOCUMENT_KINDS = ("thread", "page")
EVIDENCE_KINDS = ("accepted", "upvoted", "answer", "post", "page", "validated")
REQUEST_STATUSES = ("open", "resolved")


def _now() -> datetime:
    return clock.now()


# --- what people declare --------------------------------------------------------


class ExpertProfile(db.Model):
    """A person's "ask me about" and availability (one row, made on first save)."""

    __tablename__ = "expert_profiles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    ask_me_about: Mapped[str] = mapped_column(sa.String(500), default="")
    availability: Mapped[str] = mapped_column(sa.String(20), default="available")
    away_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=_now, onupdate=_now
    )

    __table_args__ = (
        sa.CheckConstraint(f"availability IN {AVAILABILITY}", name="availability"),
    )


class Skill(db.Model):
    """A declared skill: a tag and a level."""

    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    tag_id: Mapped[int] = mapped_column(sa.ForeignKey("tags.id"), index=True)
    level: Mapped[int] = mapped_column(sa.SmallInteger, default=2)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    # Kept here so profile and ranking never count endorsements.
    endorsement_count: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship()
    tag: Mapped[Tag] = relationship(lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("user_id", "tag_id"),
        sa.CheckConstraint("level IN (1, 2, 3)", name="level"),
    )


class Endorsement(db.Model):
    """A colleague vouches for a declared skill: once each, never oneself."""

    __tablename__ = "endorsements"

    id: Mapped[int] = mapped_column(primary_key=True)
    skill_id: Mapped[int] = mapped_column(
        sa.ForeignKey("skills.id", ondelete="CASCADE"), index=True
    )
    endorser_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)

    skill: Mapped[Skill] = relationship()
    endorser: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("skill_id", "endorser_id"),)


class WorkAccount(db.Model):
    """A customer account a person says they work on."""

    __tablename__ = "work_accounts"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customer_accounts.id"), primary_key=True, index=True
    )

    account: Mapped[CustomerAccount] = relationship()


class HiddenTopic(db.Model):
    """ "Not me": an inferred topic its person does not want to be asked about."""

    __tablename__ = "hidden_topics"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tags.id"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)


# --- what the portal has seen -----------------------------------------------------

evidence_document_tags = sa.Table(
    "evidence_document_tags",
    db.metadata,
    sa.Column(
        "document_id",
        sa.ForeignKey("evidence_documents.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("tag_id", sa.ForeignKey("tags.id"), primary_key=True, index=True),
)

evidence_document_accounts = sa.Table(
    "evidence_document_accounts",
    db.metadata,
    sa.Column(
        "document_id",
        sa.ForeignKey("evidence_documents.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "account_id",
        sa.ForeignKey("customer_accounts.id"),
        primary_key=True,
        index=True,
    ),
)


class EvidenceDocument(db.Model):
    """A thread (question, answers) or a wiki page, as expert finding sees it.

    ``department_id`` copies the forum's restriction, so a ranking never rests
    on threads its reader may not see.
    """

    __tablename__ = "evidence_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    source_id: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    url: Mapped[str] = mapped_column(sa.String(500))
    department_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("departments.id"), index=True
    )
    length: Mapped[int] = mapped_column(default=0)  # tokens
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)

    tags: Mapped[list[Tag]] = relationship(
        secondary=evidence_document_tags, order_by=Tag.key
    )
    accounts: Mapped[list[CustomerAccount]] = relationship(
        secondary=evidence_document_accounts
    )

    __table_args__ = (
        sa.UniqueConstraint("kind", "source_id"),
        sa.CheckConstraint(f"kind IN {DOCUMENT_KINDS}", name="kind"),
    )


class EvidenceTerm(db.Model):
    """How often a term occurs in a document: the postings retrieval reads."""

    __tablename__ = "evidence_terms"

    term: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evidence_documents.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    )
    tf: Mapped[int] = mapped_column(sa.SmallInteger, default=1)


class Evidence(db.Model):
    """One thing a person did in a document, with its weight before decay."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evidence_documents.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    # The post (for forum evidence) or the page (for wiki evidence).
    source_id: Mapped[int]
    weight: Mapped[float] = mapped_column(sa.Float)
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    document: Mapped[EvidenceDocument] = relationship()

    __table_args__ = (
        sa.CheckConstraint(f"kind IN {EVIDENCE_KINDS}", name="kind"),
        sa.Index("ix_evidence_user_document", "user_id", "document_id"),
    )


# --- questions routed to experts ---------------------------------------------------


class ExpertRequest(db.Model):
    """A question thread someone asked experts to answer."""

    __tablename__ = "expert_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("threads.id"), unique=True)
    asker_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # 1: the first experts, 2: the next ones, 3: the account manager.
    round: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    status: Mapped[str] = mapped_column(sa.String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    last_routed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    asker: Mapped[User] = relationship()
    routings: Mapped[list["Routing"]] = relationship(
        back_populates="request", order_by="Routing.id"
    )

    __table_args__ = (
        sa.CheckConstraint(f"status IN {REQUEST_STATUSES}", name="status"),
        # The escalation run looks for open requests routed long enough ago.
        sa.Index("ix_expert_requests_open", "status", "last_routed_at"),
    )


class Routing(db.Model):
    """One person a request was routed to, in which round, and why."""

    __tablename__ = "routings"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("expert_requests.id"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    round: Mapped[int] = mapped_column(sa.SmallInteger)
    reason: Mapped[str] = mapped_column(sa.String(20), default="expert")
    score: Mapped[float] = mapped_column(sa.Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)

    request: Mapped[ExpertRequest] = relationship(back_populates="routings")
    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("request_id", "user_id"),)


class ResolvedCase(db.Model):
    """A routed question whose answer was accepted: knowledge for the next person."""

    __tablename__ = "resolved_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("threads.id"), unique=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("expert_requests.id"), index=True
    )
    answer_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id"), index=True)
    resolved_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
