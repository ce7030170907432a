"""What the forums add to pages other packages own: accounts, tags, profiles, home.

Each receiver answers with threads the viewer may read, so a restricted forum's
threads never show up on a page of someone outside its department.
"""

from urllib.parse import urlencode

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from portal import signals, versions
from portal.extensions import db
from portal.forums import permissions, service
from portal.forums.models import Forum, Post, Thread, thread_accounts, thread_tags
from portal.lru import LRU
from portal.signals import Panel, Person, TimelineEvent

PANEL_LIMIT = 10
# Account timelines kept per process: about 3 KB each.
TIMELINE_CACHE = "forums.account_timeline"


def _threads(viewer, limit: int = PANEL_LIMIT, **filters) -> list[Thread]:
    # The panels show no tags or accounts, which the model loads with every
    # thread otherwise (two queries per panel).
    stmt = (
        service.list_threads(viewer, **filters)
        .limit(limit)
        .options(sa.orm.lazyload(Thread.tags), sa.orm.lazyload(Thread.accounts))
    )
    return list(db.session.scalars(stmt).unique())


def _url(path: str, **args) -> str:
    query = urlencode({k: v for k, v in args.items() if v is not None})
    return f"{path}?{query}" if query else path


def account_panel(account, viewer, **kwargs):
    """Threads about the account, and an invitation to ask about it (the
    account page offers to watch the account itself)."""
    return Panel(
        "forums/_thread_panel.html",
        lambda: {
            "title": _("Discussions and questions"),
            "threads": _threads(viewer, account=account),
            "more_url": _url("/forums/threads", account=account.id),
            "empty": _(
                "No questions about %(name)s yet — ask the first one.",
                name=account.name,
            ),
            "action_url": _url("/forums/new", account=account.id),
            "action_label": _("Ask a question about this account"),
        },
        order=20,
        # The threads the viewer may read: the same for everyone in the scope.
        key=permissions.reading_scope(viewer),
    )


def tag_panel(tag, viewer, **kwargs):
    threads = _threads(viewer, tag=tag)
    if not threads:
        return None
    return Panel(
        "forums/_thread_panel.html",
        {
            "title": _("Threads"),
            "threads": threads,
            "more_url": _url("/forums/threads", tag=tag.slug),
            "action_url": _url("/forums/new", tag=tag.slug),
            "action_label": _("New thread with this tag"),
            "watch": ("tag", tag.id),
        },
        order=20,
    )


def profile_panel(user, viewer, **kwargs):
    threads = _threads(viewer, author=user)
    replies = service.recent_replies(viewer, user, PANEL_LIMIT)
    if not threads and not replies:
        return None
    return Panel(
        "forums/_profile_panel.html",
        {"user": user, "threads": threads, "replies": replies},
        order=30,
    )


def home_panel(viewer, **kwargs):
    threads = _threads(viewer, limit=8)
    if not threads:
        return None
    return Panel(
        "forums/_thread_panel.html",
        {
            "title": _("Latest in the forums"),
            "threads": threads,
            "more_url": "/forums/threads",
            "action_url": "/forums/new",
            "action_label": _("New thread"),
        },
        order=20,
    )


# The events show the thread's title and address, and who wrote the post: not
# the post's text, nor the thread's tags and accounts, which the model loads
# with every thread otherwise.
_EVENT_LOADS = (
    sa.orm.contains_eager(Post.thread).options(
        sa.orm.lazyload(Thread.tags), sa.orm.lazyload(Thread.accounts)
    ),
    sa.orm.joinedload(Post.author),
    sa.orm.defer(Post.body),
    sa.orm.defer(Post.body_html),
)


def _visible_posts(viewer) -> tuple:
    """Live posts of live threads in forums the viewer may read (joined to
    ``Thread`` and ``Forum``)."""
    return (
        Post.deleted_at.is_(None),
        Thread.deleted_at.is_(None),
        permissions.readable_forums_clause(viewer),
    )


def _event(post: Post) -> TimelineEvent:
    # A thread's first post is the thread starting, the others are replies.
    return TimelineEvent(
        when=post.created_at,
        kind="thread" if post.is_first else "post",
        title=post.thread.title,
        url=post.thread.url if post.is_first else post.url,
        actor=Person.of(post.author),
    )


def account_timeline(account, viewer, before=None, limit=20, **kwargs):
    """Posts in threads about the account as dated events, newest first;
    kept while the account's versions stay (``portal.versions``)."""
    scope = permissions.reading_scope(viewer)
    return versions.remembered(
        current_app.extensions[TIMELINE_CACHE],
        ("forums", account.id, scope, before, limit),
        (versions.account(account.id), versions.ALL),
        lambda: _account_timeline(account, viewer, before, limit),
    )


def _account_timeline(account, viewer, before, limit) -> tuple:
    about = sa.select(thread_accounts.c.thread_id).where(
        thread_accounts.c.account_id == account.id
    )
    # The newest posts first, by id and time alone; then what the events show
    # of those few (a busy account has thousands of posts to choose from).
    newest = (
        sa.select(Post.id)
        .join(Post.thread)
        .join(Thread.forum)
        .where(Post.thread_id.in_(about), *_visible_posts(viewer))
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(limit)
    )
    if before is not None:
        newest = newest.where(Post.created_at < before)
    stmt = (
        sa.select(Post)
        .join(Post.thread)
        .where(Post.id.in_(newest.scalar_subquery()))
        .order_by(Post.created_at.desc(), Post.id.desc())
        .options(*_EVENT_LOADS)
    )
    return tuple(_event(p) for p in db.session.scalars(stmt))


def accounts_recent_events(viewer, accounts=(), limit=2, **kwargs):
    """The newest ``limit`` events of ``account_timeline`` for each account, in
    one query for those not kept since their last change (``portal.versions``)."""
    ids = [a.id for a in accounts]
    if not ids:
        return {}
    return versions.remembered_each(
        current_app.extensions[TIMELINE_CACHE],
        ("forums, newest", permissions.reading_scope(viewer), limit),
        ids,
        lambda missing: _recent_events(viewer, missing, limit),
    )


def _recent_events(viewer, ids, limit) -> dict:
    rank = sa.func.row_number().over(
        partition_by=thread_accounts.c.account_id,
        order_by=(Post.created_at.desc(), Post.id.desc()),
    )
    ranked = (
        sa.select(
            Post.id.label("post_id"),
            thread_accounts.c.account_id,
            rank.label("rank"),
        )
        .join(thread_accounts, thread_accounts.c.thread_id == Post.thread_id)
        .join(Thread, Thread.id == Post.thread_id)
        .join(Forum, Forum.id == Thread.forum_id)
        .where(thread_accounts.c.account_id.in_(ids), *_visible_posts(viewer))
        .subquery()
    )
    stmt = (
        sa.select(Post, ranked.c.account_id)
        .join(ranked, ranked.c.post_id == Post.id)
        .join(Post.thread)
        .where(ranked.c.rank <= limit)
        .order_by(ranked.c.account_id, ranked.c.rank)
        .options(*_EVENT_LOADS)
    )
    out: dict[int, list] = {}
    for post, account_id in db.session.execute(stmt):
        out.setdefault(account_id, []).append(_event(post))
    return {account_id: tuple(events) for account_id, events in out.items()}


def _tags_of_threads(tag_ids, *where) -> list[int]:
    stmt = (
        sa.select(thread_tags.c.tag_id)
        .join(Thread, Thread.id == thread_tags.c.thread_id)
        .join(Forum, Forum.id == Thread.forum_id)
        .where(*where)
        .distinct()
    )
    if tag_ids is not None:
        stmt = stmt.where(thread_tags.c.tag_id.in_(list(tag_ids)))
    return list(db.session.scalars(stmt))


def restricted_tags(viewer, tag_ids=None, **kwargs):
    """Tags on threads of forums the viewer may not read."""
    return _tags_of_threads(
        tag_ids, sa.not_(permissions.readable_forums_clause(viewer))
    )


def tag_uses(viewer, tag_ids=(), **kwargs):
    """Tags on threads the viewer may read."""
    return _tags_of_threads(
        tag_ids,
        permissions.readable_forums_clause(viewer),
        Thread.deleted_at.is_(None),
    )


# --- what a flush changes on the accounts' and the threads' pages ------------------


def _accounts_of_threads(session, thread_ids) -> set[str]:
    thread_ids = {t for t in thread_ids if t is not None}
    if not thread_ids:
        return set()
    return {
        versions.account(a)
        for a in session.connection()
        .execute(
            sa.select(thread_accounts.c.account_id).where(
                thread_accounts.c.thread_id.in_(thread_ids)
            )
        )
        .scalars()
    }


def _posts_touch(session, posts) -> set[str]:
    thread_ids = {p.thread_id for p in posts}
    return _accounts_of_threads(session, thread_ids) | {
        versions.thread(t) for t in thread_ids if t is not None
    }


def _threads_touch(session, threads) -> set[str]:
    # The accounts the thread is about now, and those it just stopped being about.
    return (
        _accounts_of_threads(session, {t.id for t in threads})
        | versions.removed_accounts(threads)
        | {versions.thread(t.id) for t in threads}
    )


def _forums_touch(session, forums) -> set[str]:
    # Every account's page names the forums of its threads, and who may read them.
    if any(
        f in session.dirty and versions.changed(f, ("name", "department_id"))
        for f in forums
    ):
        return {versions.ALL}
    return set()


def init_app(app) -> None:
    app.extensions[TIMELINE_CACHE] = LRU(app.config.get("TIMELINE_CACHE_SIZE", 1000))
    versions.on_flush(Post, _posts_touch)
    versions.on_flush(Thread, _threads_touch)
    versions.on_flush(Forum, _forums_touch)
    signals.account_panels.connect(account_panel)
    signals.tag_panels.connect(tag_panel)
    signals.profile_panels.connect(profile_panel)
    signals.home_panels.connect(home_panel)
    signals.account_timeline.connect(account_timeline)
    signals.accounts_recent_events.connect(accounts_recent_events)
    signals.restricted_tags.connect(restricted_tags)
    signals.tag_uses.connect(tag_uses)
