"""Forums: boards, threads, posts, their edit history, votes and the moderation log."""

from datetime import datetime
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import clock
from portal.accounts.models import CustomerAccount
from portal.auth.models import Department, User
from portal.dbtypes import SanitizedHTML, Timestamps, UTCDateTime
from portal.extensions import db
from portal.tags.models import Tag

KINDS = ("discussion", "questions")


def _now() -> datetime:
    return clock.now()


thread_tags = sa.Table(
    "thread_tags",
    db.metadata,
    sa.Column("thread_id", sa.ForeignKey("threads.id"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tags.id"), primary_key=True, index=True),
)

thread_accounts = sa.Table(
    "thread_accounts",
    db.metadata,
    sa.Column("thread_id", sa.ForeignKey("threads.id"), primary_key=True),
    sa.Column(
        "account_id",
        sa.ForeignKey("customer_accounts.id"),
        primary_key=True,
        index=True,
    ),
)


class Forum(Timestamps, db.Model):
    """A board. With ``department_id`` set only that department (and moderators)
    may see it or anything in it."""

    __tablename__ = "forums"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    position: Mapped[int] = mapped_column(default=0, index=True)
    kind: Mapped[str] = mapped_column(sa.String(20), default="discussion")
    department_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("departments.id"), index=True
    )
    thread_count: Mapped[int] = mapped_column(default=0)
    post_count: Mapped[int] = mapped_column(default=0)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The thread with the latest activity, for the forum list; may go stale
    # when that thread moves or is deleted (the list checks, recount fixes).
    # Checked at commit, like threads.accepted_post_id: the tables refer to
    # each other.
    last_thread_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey(
            "threads.id",
            use_alter=True,
            name="fk_forums_last_thread_id",
            deferrable=True,
            initially="DEFERRED",
        ),
        index=True,
    )

    department: Mapped[Department | None] = relationship()
    last_thread: Mapped["Thread | None"] = relationship(
        foreign_keys=[last_thread_id], post_update=True
    )

    __table_args__ = (sa.CheckConstraint(f"kind IN {KINDS}", name="kind"),)

    @property
    def url(self) -> str:
        return f"/forums/{quote(self.slug, safe='')}"

    @property
    def restricted(self) -> bool:
        return self.department_id is not None

    @property
    def is_questions(self) -> bool:
        return self.kind == "questions"

    def __repr__(self) -> str:
        return f"<Forum {self.slug}>"


class Thread(db.Model):
    __tablename__ = "threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(sa.ForeignKey("forums.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    # Cosmetic, for readable URLs (Chinese kept); the id finds the thread.
    slug: Mapped[str] = mapped_column(sa.String(200))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    last_activity_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=_now, index=True
    )
    last_poster_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True
    )
    # Replies that are not deleted (the first post is not a reply).
    reply_count: Mapped[int] = mapped_column(default=0)
    # Every post, deleted placeholders included: what the thread pages show.
    post_count: Mapped[int] = mapped_column(default=0)
    pinned: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[bool] = mapped_column(default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_post_id: Mapped[int | None] = mapped_column(
        # threads and posts refer to each other: the constraint is added after
        # both tables exist and checked at commit, so either can be emptied first.
        sa.ForeignKey(
            "posts.id",
            use_alter=True,
            name="fk_threads_accepted_post_id",
            deferrable=True,
            initially="DEFERRED",
        ),
        index=True,
    )

    forum: Mapped[Forum] = relationship(foreign_keys=[forum_id])
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    last_poster: Mapped[User | None] = relationship(foreign_keys=[last_poster_id])
    accepted_post: Mapped["Post | None"] = relationship(
        foreign_keys=[accepted_post_id], post_update=True
    )
    tags: Mapped[list[Tag]] = relationship(
        secondary=thread_tags, order_by=Tag.key, lazy="selectin"
    )
    accounts: Mapped[list[CustomerAccount]] = relationship(
        secondary=thread_accounts, order_by=CustomerAccount.name, lazy="selectin"
    )

    __table_args__ = (
        # The thread list: one forum, pinned first, then most recent activity.
        sa.Index(
            "ix_threads_forum_list", "forum_id", "pinned", "last_activity_at", "id"
        ),
        sa.Index("ix_threads_author_created", "author_id", "created_at"),
        # Questions nobody has answered yet (the home page's, the experts'):
        # few, however many threads there are.
        sa.Index(
            "ix_threads_unanswered",
            "reply_count",
            "created_at",
            postgresql_where=sa.text("deleted_at IS NULL"),
            sqlite_where=sa.text("deleted_at IS NULL"),
        ),
    )

    @property
    def url(self) -> str:
        return f"/forums/t/{self.id}/{quote(self.slug, safe='')}"

    @property
    def is_question(self) -> bool:
        return self.forum.kind == "questions"

    @property
    def state(self) -> str:
        """``open`` for discussions; ``unanswered``, ``answered`` or ``accepted``."""
        if not self.is_question:
            return "open"
        if self.accepted_post_id is not None:
            return "accepted"
        return "answered" if self.reply_count else "unanswered"

    def __repr__(self) -> str:
        return f"<Thread {self.id} {self.title[:30]!r}>"


class Post(db.Model):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("threads.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(SanitizedHTML)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=_now, onupdate=_now
    )
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    edited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True
    )
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True
    )
    score: Mapped[int] = mapped_column(default=0)
    is_first: Mapped[bool] = mapped_column(default=False)

    thread: Mapped[Thread] = relationship(foreign_keys=[thread_id])
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    edited_by: Mapped[User | None] = relationship(foreign_keys=[edited_by_id])

    __table_args__ = (
        sa.Index("ix_posts_thread_created", "thread_id", "created_at", "id"),
        sa.Index("ix_posts_author_created", "author_id", "created_at"),
    )

    @property
    def url(self) -> str:
        """The permalink: it redirects to the page of the thread that shows the post."""
        return f"/forums/posts/{self.id}"

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    def __repr__(self) -> str:
        return f"<Post {self.id} in thread {self.thread_id}>"


class PostRevision(db.Model):
    """A previous version of a post, kept when it is edited.

    ``editor_id`` wrote this version and ``created_at`` is when it was written
    (the post's creation or an earlier edit); ``title`` is the thread title of
    that version, for first posts.
    """

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id"), index=True)
    number: Mapped[int]
    title: Mapped[str | None] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(SanitizedHTML)
    editor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    editor: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("post_id", "number"),)


class Vote(db.Model):
    """One person's vote on one post: +1 or -1."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    value: Mapped[int] = mapped_column(sa.SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=_now, onupdate=_now
    )

    __table_args__ = (
        # Two clicks racing each other still make one vote.
        sa.UniqueConstraint("post_id", "user_id"),
        sa.CheckConstraint("value IN (-1, 1)", name="value"),
    )


MODERATION_ACTIONS = (
    "pin",
    "unpin",
    "lock",
    "unlock",
    "move",
    "edit_post",
    "delete_post",
    "restore_post",
    "accept",
    "unaccept",
)


class ModerationAction(db.Model):
    """What a moderator did, to which thread or post, and when."""

    __tablename__ = "moderation_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(30))
    thread_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("threads.id"), index=True
    )
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id"), index=True)
    detail: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now, index=True)

    actor: Mapped[User] = relationship()
    thread: Mapped[Thread | None] = relationship()
    post: Mapped[Post | None] = relationship()
