"""The forums' blocks on the home page: conversations the viewer is part of,
questions still waiting for an answer, and for a newcomer how to ask.

Only threads the viewer may read, like every list of the forums.
"""

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, lazyload

from portal import signals
from portal.extensions import db
from portal.forums import permissions
from portal.forums.models import Forum, Post, Thread
from portal.signals import Panel

LIMIT = 6


def _readable(viewer):
    return (
        sa.select(Thread)
        .join(Thread.forum)
        .where(permissions.readable_forums_clause(viewer), Thread.deleted_at.is_(None))
        .options(
            contains_eager(Thread.forum),
            joinedload(Thread.author),
            joinedload(Thread.last_poster),
            # The blocks show no tags or accounts, which the model loads with
            # every thread otherwise (two queries per block).
            lazyload(Thread.tags),
            lazyload(Thread.accounts),
        )
    )


def conversations(viewer, limit: int = LIMIT) -> list[Thread]:
    """Threads the viewer wrote in where someone else spoke last, newest first."""
    # The viewer's threads first, as a list: given the subquery, PostgreSQL
    # hashes every thread of the company to find them (7 ms at 20,000 threads,
    # against 2 ms for looking up the few hundred a person writes in).
    mine = list(
        db.session.scalars(
            sa.select(Post.thread_id)
            .where(Post.author_id == viewer.id, Post.deleted_at.is_(None))
            .distinct()
        )
    )
    if not mine:
        return []
    stmt = (
        _readable(viewer)
        .where(Thread.id.in_(mine), Thread.last_poster_id != viewer.id)
        .order_by(Thread.last_activity_at.desc(), Thread.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt).unique())


def unanswered(viewer, limit: int = LIMIT) -> list[Thread]:
    """Questions nobody has answered, from the viewer's department's forums
    first, then the newest; never the viewer's own."""
    own_department = (
        sa.case((Forum.department_id == viewer.department_id, 0), else_=1)
        if viewer.department_id is not None
        else sa.literal(1)
    )
    stmt = (
        _readable(viewer)
        .where(
            Forum.kind == "questions",
            Thread.reply_count == 0,
            Thread.author_id != viewer.id,
        )
        .order_by(own_department, Thread.created_at.desc(), Thread.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt).unique())


def _has_posted(viewer) -> bool:
    return (
        db.session.scalar(
            sa.select(Post.id).where(Post.author_id == viewer.id).limit(1)
        )
        is not None
    )


def conversations_panel(viewer, **_):
    threads = conversations(viewer)
    if threads:
        return Panel(
            "forums/_home_conversations.html",
            {"threads": threads, "profile_url": viewer.url},
            order=25,
        )
    if _has_posted(viewer):
        return None
    questions = db.session.scalar(
        sa.select(Forum)
        .where(Forum.kind == "questions", permissions.readable_forums_clause(viewer))
        .order_by(Forum.department_id.is_(None), Forum.position, Forum.id)
        .limit(1)
    )
    return Panel("forums/_home_how_to_ask.html", {"forum": questions}, order=5)


def unanswered_panel(viewer, **_):
    threads = unanswered(viewer)
    if not threads:
        return None
    return Panel("forums/_home_unanswered.html", {"threads": threads}, order=35)


def init_app(app) -> None:
    signals.home_panels.connect(conversations_panel)
    signals.home_panels.connect(unanswered_panel)
