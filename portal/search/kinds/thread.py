"""Forum threads: the title and every visible post; a thread with an accepted
answer is a resolved case and ranks above unresolved threads."""

from collections import defaultdict

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from portal import signals
from portal.extensions import db
from portal.forums.models import Forum, Post, Thread
from portal.forums.permissions import readable_forums_clause

KIND = "thread"
LABEL = _l("Threads")
RESOLVED_RANK = 2.0


def load(ids) -> dict:
    threads = db.session.scalars(
        sa.select(Thread)
        .where(Thread.id.in_(ids), Thread.deleted_at.is_(None))
        .options(
            selectinload(Thread.forum),
            selectinload(Thread.tags),
            selectinload(Thread.accounts),
        )
    ).all()
    posts = defaultdict(list)
    authors = defaultdict(set)
    rows = db.session.execute(
        sa.select(Post.thread_id, Post.author_id, Post.body_html)
        .where(Post.thread_id.in_([t.id for t in threads]), Post.deleted_at.is_(None))
        .order_by(Post.thread_id, Post.created_at, Post.id)
    )
    from portal.search.kinds import plain_text

    for thread_id, author_id, html in rows:
        posts[thread_id].append(plain_text(html))
        authors[thread_id].add(author_id)
    docs = {}
    for t in threads:
        resolved = t.accepted_post_id is not None
        flags = ["resolved"] if resolved else []
        if t.forum.kind == "questions":
            flags.append("question")
        docs[t.id] = {
            "title": t.title,
            "body": "\n\n".join(posts[t.id]),
            "url": t.url,
            "date": t.last_activity_at,
            "scope": f"forum:{t.forum_id}",
            "accounts": [a.id for a in t.accounts],
            "tags": [tag.slug for tag in t.tags],
            "authors": sorted(authors[t.id] | {t.author_id}),
            "flags": flags,
            "rank": RESOLVED_RANK if resolved else 1.0,
            "meta": {
                "forum": t.forum.name,
                "forum_url": t.forum.url,
                "replies": t.reply_count,
                "resolved": resolved,
                "question": t.forum.kind == "questions",
            },
        }
    return docs


def all_ids():
    return db.session.scalars(
        sa.select(Thread.id).where(Thread.deleted_at.is_(None)).order_by(Thread.id)
    )


def hidden_scopes(viewer) -> list[str]:
    ids = db.session.scalars(
        sa.select(Forum.id).where(sa.not_(readable_forums_clause(viewer)))
    )
    return [f"forum:{forum_id}" for forum_id in ids]


def _thread(sender, **_):
    return [sender.id]


def _post(sender, **_):
    return [sender.thread_id]


def _answer(sender, thread=None, **_):
    return [thread.id if thread is not None else sender.thread_id]


DIRTY = [
    (signals.thread_created, _thread),
    (signals.thread_updated, _thread),
    (signals.thread_moved, _thread),
    (signals.post_created, _post),
    (signals.post_edited, _post),
    (signals.post_deleted, _post),
    (signals.post_restored, _post),
    (signals.answer_accepted, _answer),
    (signals.answer_unaccepted, _answer),
]
