"""The wiki: pages, their revisions, the links between them, renamed slugs."""

from datetime import datetime
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import clock
from portal.accounts.models import CustomerAccount
from portal.auth.models import User
from portal.dbtypes import SanitizedHTML, Timestamps, UTCDateTime
from portal.extensions import db
from portal.tags.models import Tag

# KCS knowledge states, in their usual order of life.
STATES = ("draft", "published", "validated", "archived")

page_tags = sa.Table(
    "page_tags",
    db.metadata,
    sa.Column(
        "page_id", sa.ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("tag_id", sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    # The primary key serves lookups by page; tag pages look up by tag.
    sa.Index("ix_page_tags_tag_id", "tag_id"),
)

page_accounts = sa.Table(
    "page_accounts",
    db.metadata,
    sa.Column(
        "page_id", sa.ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "account_id",
        sa.ForeignKey("customer_accounts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Index("ix_page_accounts_account_id", "account_id"),
)


def _now() -> datetime:
    return clock.now()


class Page(Timestamps, db.Model):
    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    # Unique over deleted pages too: a deleted page keeps its name until a
    # moderator restores it, so restoring never collides.
    slug: Mapped[str] = mapped_column(sa.String(200), unique=True)
    # The cycle pages ↔ revisions is broken by creating this key afterwards
    # (use_alter) and by letting a table of revisions be emptied (SET NULL).
    current_revision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("revisions.id", use_alter=True, ondelete="SET NULL"), index=True
    )
    state: Mapped[str] = mapped_column(sa.String(20), default="draft", index=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True
    )
    # Set only on an account's five-layer profile page: one per account.
    account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("customer_accounts.id"), unique=True
    )
    last_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Kept here so lists never count revisions.
    revision_count: Mapped[int] = mapped_column(default=0)

    current_revision: Mapped["Revision | None"] = relationship(
        foreign_keys=[current_revision_id], post_update=True
    )
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    account: Mapped[CustomerAccount | None] = relationship(foreign_keys=[account_id])
    tags: Mapped[list[Tag]] = relationship(secondary=page_tags, order_by=Tag.key)
    accounts: Mapped[list[CustomerAccount]] = relationship(
        secondary=page_accounts, order_by=CustomerAccount.name
    )

    __table_args__ = (
        sa.CheckConstraint(f"state IN {STATES}", name="state"),
        # Lists and recent changes sort on it.
        sa.Index("ix_pages_updated_at", "updated_at"),
    )

    @property
    def url(self) -> str:
        # The same quoting as the links markup.render writes for [[Title]].
        return "/wiki/" + quote(self.slug, safe="")

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    def __repr__(self) -> str:
        return f"<Page {self.slug}>"


class Revision(db.Model):
    """One saved version of a page; never changed once written.

    ``body_html`` is the exception: it is re-rendered when a page it links to
    appears or disappears, so that its links show the right colour.
    """

    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pages.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(SanitizedHTML)
    summary: Mapped[str] = mapped_column(sa.String(300), default="")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now, index=True)
    # Characters in the body, and characters added plus removed by this revision.
    size: Mapped[int] = mapped_column(default=0)
    change_size: Mapped[int] = mapped_column(default=0)

    page: Mapped[Page] = relationship(foreign_keys=[page_id])
    author: Mapped[User | None] = relationship()

    __table_args__ = (
        # The last line of defence against two saves from the same base: the
        # second one cannot take the same number.
        sa.UniqueConstraint("page_id", "number"),
    )

    @property
    def url(self) -> str:
        return f"{self.page.url}/revisions/{self.number}"

    def __repr__(self) -> str:
        return f"<Revision {self.page_id}#{self.number}>"


class WikiLink(db.Model):
    """A ``[[link]]`` in a page's current revision, kept as the target's slug.

    Links to pages that do not exist are kept too: they turn blue when the page
    is created, and they list what is wanted.
    """

    __tablename__ = "wiki_links"

    from_page_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True
    )
    to_slug: Mapped[str] = mapped_column(sa.String(200), primary_key=True)

    from_page: Mapped[Page] = relationship()

    __table_args__ = (sa.Index("ix_wiki_links_to_slug", "to_slug"),)


class PageRedirect(db.Model):
    """An old slug of a renamed page, so old links and bookmarks still work."""

    __tablename__ = "page_redirects"

    id: Mapped[int] = mapped_column(primary_key=True)
    old_slug: Mapped[str] = mapped_column(sa.String(200), unique=True)
    page_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pages.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)

    page: Mapped[Page] = relationship()


class ThreadWriteUp(db.Model):
    """A forum thread written up as a wiki page (externalization, SECI).

    The wiki reads the forums; the forums never import the wiki, so a thread
    learns where it was written up through the ``thread_write_up`` template
    global.
    """

    __tablename__ = "thread_write_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("threads.id"), index=True)
    page_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pages.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)

    page: Mapped[Page] = relationship()
    created_by: Mapped[User | None] = relationship()
