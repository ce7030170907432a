"""The points ledger, the admins' rule overrides and settings, and badges."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import clock
from portal.auth.models import User
from portal.dbtypes import UTCDateTime
from portal.extensions import db

# Nonaka's four modes of knowledge conversion, the axis of the HR reports.
SECI = ("socialization", "externalization", "combination", "internalization")

# Why an award was reversed; the ledger explains each reversal with it.
REASONS = (
    "withdrawn",  # the vote was withdrawn or changed
    "unaccepted",  # the answer is no longer the accepted one
    "deleted",  # the post, thread or page was deleted
    "edited",  # an edit removed what earned it (a link)
    "moved",  # the thread moved to a forum where it earns nothing
    "moderation",  # a moderator reversed it (suspicious votes)
    "recompute",  # ``flask incentives recompute --apply`` corrected it
    "changed",  # anything else that made the award no longer due
)


def _now() -> datetime:
    return clock.now()


class PointEntry(db.Model):
    """One award of points, or the reversal of one. Rows are never changed or
    deleted: a balance is a sum, a correction is a new row.

    **What makes an award unique.** ``key`` names the event inside its rule:
    ``post:12`` (answer 12 posted, or accepted), ``vote:12:34`` (user 34's vote
    on post 12: fifty voters are fifty keys, the same vote twice is one),
    ``thread:7`` (the asker's bonus on thread 7), ``revision:9``,
    ``validated:5``, ``writeup:5``, ``link:5:6`` (page 5 links page 6),
    ``cite:12:6`` (post 12 links page 6). An award is written with
    ``generation`` 1; the same (user, rule, key) may be awarded again only
    after its latest generation has been reversed, as generation + 1. The
    unique key (user, rule, key, generation, reversal) makes a racing
    duplicate of the same generation fail, and ``reverses_id`` being unique
    makes a second reversal of the same row fail. So accept → unaccept →
    accept leaves +15 (gen 1), −15 (its reversal), +15 (gen 2): exactly one net
    award, however often it is repeated.

    **What it points at.** ``source_type``/``source_id`` is the object the
    award is about and the link the ledger shows ("post" or "page"; the
    Experts and Handover packages add theirs); ``actor_id`` is who caused it
    (the voter, the asker), so moderators can find one person's votes for
    another. A reversal copies the user, rule, key, generation and source of
    the row it reverses, with ``points`` negated and ``reason`` set.

    ``capped`` marks an award from votes clipped by the daily cap: its points
    are what was left of the cap that day (possibly 0), and its reversal gives
    back exactly that.
    """

    __tablename__ = "point_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    points: Mapped[int]
    rule: Mapped[str] = mapped_column(sa.String(40), index=True)
    source_type: Mapped[str] = mapped_column(sa.String(20))
    source_id: Mapped[int]
    key: Mapped[str] = mapped_column(sa.String(80))
    generation: Mapped[int] = mapped_column(default=1)
    reversal: Mapped[bool] = mapped_column(default=False)
    reverses_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("point_entries.id"), unique=True
    )
    reason: Mapped[str] = mapped_column(sa.String(20), default="")
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    seci: Mapped[str] = mapped_column(sa.String(20))
    capped: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now, index=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    reverses: Mapped["PointEntry | None"] = relationship(
        remote_side=[id], foreign_keys=[reverses_id], viewonly=True
    )

    __table_args__ = (
        sa.UniqueConstraint("user_id", "rule", "key", "generation", "reversal"),
        sa.CheckConstraint(f"seci IN {SECI}", name="seci"),
        sa.CheckConstraint(
            "(reversal AND reverses_id IS NOT NULL) "
            "OR (NOT reversal AND reverses_id IS NULL)",
            name="reversal",
        ),
        # A person's ledger and their daily vote cap, newest first.
        sa.Index("ix_point_entries_user_created", "user_id", "created_at"),
        # Everything awarded for one post or page (deletions reverse it).
        sa.Index("ix_point_entries_source", "source_type", "source_id"),
        # Links and citations are found by their key's prefix.
        sa.Index("ix_point_entries_rule_key", "rule", "key"),
    )

    def __repr__(self) -> str:
        sign = "-" if self.reversal else "+"
        return (
            f"<PointEntry {sign}{self.rule} {self.key} u{self.user_id} {self.points}>"
        )


# The reversal of an award, if any: ``entry.reversed_by``.
PointEntry.reversed_by = relationship(
    PointEntry,
    primaryjoin=PointEntry.id == sa.orm.foreign(PointEntry.reverses_id),
    uselist=False,
    viewonly=True,
)


class PointRule(db.Model):
    """An admin's override of a rule's defaults (points, on or off, SECI mode).

    The defaults live in code (``rules.RULES``); a rule without a row here
    uses them.
    """

    __tablename__ = "point_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40), unique=True)
    points: Mapped[int]
    enabled: Mapped[bool] = mapped_column(default=True)
    seci: Mapped[str] = mapped_column(sa.String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True
    )

    __table_args__ = (sa.CheckConstraint(f"seci IN {SECI}", name="seci"),)


class IncentiveSetting(db.Model):
    """One setting of the incentives (the daily vote cap, leaderboard
    exclusions…), stored as JSON; missing settings take their defaults."""

    __tablename__ = "incentive_settings"

    key: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(2000))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)


class UserBadge(db.Model):
    """A badge someone earned. Badges are kept once earned, like Stack
    Exchange's: reputation may go down, a badge does not go away."""

    __tablename__ = "user_badges"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    badge: Mapped[str] = mapped_column(sa.String(40), index=True)
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)

    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("user_id", "badge"),)


class PointTotal(db.Model):
    """A person's points in one calendar month (UTC): the ledger's sum, cached.

    Every ledger write adds its points here in the same transaction
    (``totals.add``), so a leaderboard or a rank reads one row per person and
    month instead of every ledger row of the period; ``incentives recompute``
    checks these rows against the ledger and rebuilds them (``totals.rebuild``).
    """

    __tablename__ = "point_totals"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    month: Mapped[date] = mapped_column(sa.Date, primary_key=True)  # its first day
    points: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        # A month's ranking: who has more points than this person.
        sa.Index("ix_point_totals_month_points", "month", "points"),
    )
