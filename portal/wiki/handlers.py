"""What the wiki shows on pages other packages own: accounts, tags, people."""

import sqlalchemy as sa
from flask import current_app

from portal import versions
from portal.extensions import db
from portal.lru import LRU
from portal.signals import (
    Panel,
    Person,
    TimelineEvent,
    account_panels,
    account_timeline,
    accounts_recent_events,
    profile_panels,
    tag_panels,
    tag_uses,
)
from portal.wiki import permissions, service
from portal.wiki.models import (
    Page,
    Revision,
    ThreadWriteUp,
    page_accounts,
    page_tags,
)


def account_profile_panel(account, viewer=None, **kwargs) -> Panel:
    """The account's five-layer profile, or an invitation to write it."""

    def values():
        page = service.profile_page(account)
        if page is not None and page.deleted:
            page = None
        can_write = permissions.can_write_profile(viewer, account) and (
            page is None or permissions.can_edit_page(viewer, page)
        )
        return {"account": account, "page": page, "can_write": can_write}

    return Panel(
        "wiki/_account_profile_panel.html",
        values,
        order=10,
        # The page's text, its author and its revision show with the
        # account's version (portal.versions); the viewer adds a button,
        # which follows from the page and these answers alone.
        key=(
            "may write",
            permissions.can_write_profile(viewer, account),
            permissions.is_moderator(viewer),
        ),
    )


def account_pages_panel(account, viewer=None, **kwargs) -> Panel:
    """Other wiki pages about the account."""
    # Panels render without the page's context: no current_user there.
    can_create = permissions.can_create_page(viewer)
    return Panel(
        "wiki/_account_pages_panel.html",
        lambda: {
            "account": account,
            "pages": service.pages_for_account(account),
            "can_create": can_create,
        },
        order=40,
        key=("can_create", can_create),
    )


def tag_pages_panel(tag, viewer=None, **kwargs) -> Panel | None:
    pages = service.pages_for_tag(tag)
    if not pages:
        return None
    return Panel("wiki/_tag_panel.html", {"tag": tag, "pages": pages}, order=40)


def person_pages_panel(user, viewer=None, **kwargs) -> Panel | None:
    pages = service.pages_by_person(user)
    if not pages:
        return None
    return Panel("wiki/_profile_panel.html", {"user": user, "pages": pages}, order=40)


_REVISION_LOADS = (
    sa.orm.contains_eager(Revision.page),
    sa.orm.joinedload(Revision.author),
    # The timeline shows a title, not the text.
    sa.orm.defer(Revision.body),
    sa.orm.defer(Revision.body_html),
)


def _pages_about(account_ids):
    """(page_id, account_id): an account's profile page and the pages linked
    to it, each once per account."""
    return sa.union(
        sa.select(Page.id.label("page_id"), Page.account_id.label("account_id")).where(
            Page.account_id.in_(account_ids)
        ),
        sa.select(page_accounts.c.page_id, page_accounts.c.account_id).where(
            page_accounts.c.account_id.in_(account_ids)
        ),
    )


def _event(r: Revision) -> TimelineEvent:
    return TimelineEvent(
        when=r.created_at,
        kind="revision",
        title=r.summary and f"{r.page.title} — {r.summary}" or r.page.title,
        url=r.url,
        actor=Person.of(r.author),
    )


def account_revisions(account, viewer=None, before=None, limit=20, **kwargs):
    """Revisions of the pages about the account (its profile and the pages
    linked to it) as dated events, newest first; deleted pages leave no trace.
    Kept while the account's versions stay (``portal.versions``): every page
    is open to everyone."""
    return versions.remembered(
        current_app.extensions[TIMELINE_CACHE],
        ("wiki", account.id, before, limit),
        (versions.account(account.id), versions.ALL),
        lambda: _account_revisions(account, before, limit),
    )


def _account_revisions(account, before, limit) -> tuple:
    # A UNION, not an OR: with an OR PostgreSQL walks every revision by date
    # until it finds enough about this account (400 ms at 20,000 pages).
    about = _pages_about([account.id]).subquery()
    stmt = (
        sa.select(Revision)
        .join(Revision.page)
        .where(
            Revision.page_id.in_(sa.select(about.c.page_id)),
            Page.deleted_at.is_(None),
        )
        .order_by(Revision.created_at.desc(), Revision.id.desc())
        .limit(limit)
        .options(*_REVISION_LOADS)
    )
    if before is not None:
        stmt = stmt.where(Revision.created_at < before)
    return tuple(_event(r) for r in db.session.scalars(stmt))


def accounts_recent_revisions(viewer=None, accounts=(), limit=2, **kwargs):
    """The newest ``limit`` events of ``account_revisions`` for each account,
    in one query for those not kept since their last change
    (``portal.versions``)."""
    ids = [a.id for a in accounts]
    if not ids:
        return {}
    return versions.remembered_each(
        current_app.extensions[TIMELINE_CACHE],
        ("wiki, newest", limit),
        ids,
        lambda missing: _recent_revisions(missing, limit),
    )


def _recent_revisions(ids, limit) -> dict:
    about = _pages_about(ids).subquery()
    rank = sa.func.row_number().over(
        partition_by=about.c.account_id,
        order_by=(Revision.created_at.desc(), Revision.id.desc()),
    )
    ranked = (
        sa.select(
            Revision.id.label("revision_id"), about.c.account_id, rank.label("rank")
        )
        .join(about, about.c.page_id == Revision.page_id)
        .join(Page, Page.id == Revision.page_id)
        .where(Page.deleted_at.is_(None))
        .subquery()
    )
    stmt = (
        sa.select(Revision, ranked.c.account_id)
        .join(ranked, ranked.c.revision_id == Revision.id)
        .join(Revision.page)
        .where(ranked.c.rank <= limit)
        .order_by(ranked.c.account_id, ranked.c.rank)
        .options(*_REVISION_LOADS)
    )
    out: dict[int, list] = {}
    for revision, account_id in db.session.execute(stmt):
        out.setdefault(account_id, []).append(_event(revision))
    return {account_id: tuple(events) for account_id, events in out.items()}


def tags_in_use(viewer, tag_ids=(), **kwargs) -> list[int]:
    """Tags on pages: every page is open to everyone who can log in."""
    return list(
        db.session.scalars(
            sa.select(page_tags.c.tag_id)
            .join(Page, Page.id == page_tags.c.page_id)
            .where(page_tags.c.tag_id.in_(list(tag_ids)), Page.deleted_at.is_(None))
            .distinct()
        )
    )


# --- what a flush changes on the accounts' pages --------------------------------


def _accounts_of_pages(session, page_ids) -> set[str]:
    page_ids = {p for p in page_ids if p is not None}
    if not page_ids:
        return set()
    found = session.connection().execute(
        sa.union(
            sa.select(page_accounts.c.account_id).where(
                page_accounts.c.page_id.in_(page_ids)
            ),
            sa.select(Page.account_id).where(
                Page.id.in_(page_ids), Page.account_id.is_not(None)
            ),
        )
    )
    return {versions.account(a) for a in found.scalars()}


def _revisions_touch(session, revisions) -> set[str]:
    return _accounts_of_pages(session, {r.page_id for r in revisions})


# What a thread's page shows of the page it was written up as.
_SHOWN_ON_THREADS = ("title", "slug", "state", "deleted_at")


def _pages_touch(session, pages) -> set[str]:
    # The accounts the page is about now, and those it just stopped being
    # about (as a linked page or as an account's profile).
    subjects = _accounts_of_pages(session, {p.id for p in pages})
    subjects |= versions.removed_accounts(pages)
    for page in pages:
        subjects.update(
            versions.account(a) for a in versions.removed(page, "account_id") if a
        )
    # A thread's page links to the page it was written up as, with its state:
    # asked only when one of those changes (a new page is linked by its
    # ThreadWriteUp, which raises the thread itself).
    shown = [p.id for p in pages if versions.changed(p, _SHOWN_ON_THREADS)]
    if shown:
        subjects.update(
            versions.thread(t)
            for t in session.connection()
            .execute(
                sa.select(ThreadWriteUp.thread_id).where(
                    ThreadWriteUp.page_id.in_(shown)
                )
            )
            .scalars()
        )
    return subjects


def _write_ups_touch(session, write_ups) -> set[str]:
    return {versions.thread(w.thread_id) for w in write_ups}


# Account timelines kept per process: about 3 KB each.
TIMELINE_CACHE = "wiki.account_timeline"


def init_app(app) -> None:
    app.extensions[TIMELINE_CACHE] = LRU(app.config.get("TIMELINE_CACHE_SIZE", 1000))
    connect()


def connect() -> None:
    """Subscribe the receivers (once: blinker ignores a second connect)."""
    versions.on_flush(Revision, _revisions_touch)
    versions.on_flush(Page, _pages_touch)
    versions.on_flush(ThreadWriteUp, _write_ups_touch)
    account_panels.connect(account_profile_panel)
    account_panels.connect(account_pages_panel)
    tag_panels.connect(tag_pages_panel)
    profile_panels.connect(person_pages_panel)
    account_timeline.connect(account_revisions)
    accounts_recent_events.connect(accounts_recent_revisions)
    tag_uses.connect(tags_in_use)
