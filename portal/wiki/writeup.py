"""Write a forum thread up as a wiki page: what was said becomes written.

The draft holds the question, the accepted answer and the best other answers,
each attributed to its author and linked back to the post, so that the page's
readers can check the source and thank the people who knew.
"""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from portal import signals
from portal.auth.models import User
from portal.errors import Conflict, Forbidden, NotFound
from portal.extensions import db
from portal.forums.models import Post, Thread
from portal.forums.permissions import can_read_thread
from portal.markup import slugify
from portal.wiki import permissions, service
from portal.wiki.models import Page, ThreadWriteUp

# At most this many answers besides the accepted one.
MAX_BEST = 3


def written_up_as(thread_id: int) -> Page | None:
    """Return the live page the thread was written up as, or None."""
    return db.session.scalar(
        sa.select(Page)
        .join(ThreadWriteUp, ThreadWriteUp.page_id == Page.id)
        .where(ThreadWriteUp.thread_id == thread_id, Page.deleted_at.is_(None))
        .order_by(ThreadWriteUp.created_at.desc(), ThreadWriteUp.id.desc())
        .limit(1)
    )


def source_thread(page: Page) -> Thread | None:
    """Return the thread ``page`` was written up from, or None."""
    return db.session.scalar(
        sa.select(Thread)
        .join(ThreadWriteUp, ThreadWriteUp.thread_id == Thread.id)
        .where(ThreadWriteUp.page_id == page.id)
        .options(joinedload(Thread.forum))
        .limit(1)
    )


def _posts(thread: Thread) -> tuple[Post, Post | None, list[Post]]:
    """Return the question, the accepted answer and the best other answers.

    The best answers are the replies voted up, highest score first. A thread
    without an accepted or voted answer gives its first replies instead, so a
    plain discussion still brings its content along.
    """
    live = list(
        db.session.scalars(
            sa.select(Post)
            .where(Post.thread_id == thread.id, Post.deleted_at.is_(None))
            .options(joinedload(Post.author))
            .order_by(Post.created_at, Post.id)
        )
    )
    question = next((p for p in live if p.is_first), None)
    if question is None:
        raise NotFound(_("There is no thread %(id)s.", id=thread.id))
    accepted = next((p for p in live if p.id == thread.accepted_post_id), None)
    replies = [p for p in live if not p.is_first and p is not accepted]
    best = sorted(
        (p for p in replies if p.score > 0), key=lambda p: (-p.score, p.created_at)
    )[:MAX_BEST]
    if accepted is None and not best:
        best = replies[:MAX_BEST]
    return question, accepted, best


def _attribution(post: Post) -> str:
    name = post.author.display_name if post.author else "?"
    return f"— {name}, {post.created_at:%Y-%m-%d}, [original]({post.url})"


def _quote_block(post: Post) -> str:
    return f"{post.body.strip()}\n\n{_attribution(post)}\n"


def _body(thread: Thread, question: Post, accepted, best: list[Post]) -> str:
    # The headings are page content in both languages (as the page templates
    # are), not interface text: the page keeps them whoever reads it later.
    parts = [
        f"> 整理自论坛讨论 Written up from the thread [{thread.title}]({thread.url}).\n"
        "> 请把它整理成清楚的文章 Edit it into a clear article: keep what is right, "
        "drop what is not.\n",
        f"## 问题 Question\n\n{_quote_block(question)}",
    ]
    if accepted is not None:
        parts.append(f"## 采纳的回答 Accepted answer\n\n{_quote_block(accepted)}")
    if best:
        heading = "## 其他回答 Other answers" if accepted else "## 回答 Answers"
        parts.append(heading + "\n\n" + "\n".join(_quote_block(p) for p in best))
    return "\n".join(parts)


def _free_title(title: str) -> str:
    """Return ``title``, or a variant of it that no page has taken."""
    base = title[: service.MAX_TITLE - 16]
    candidates = [title, f"{base} — write-up"]
    candidates += [f"{base} — write-up {n}" for n in range(2, 100)]
    for candidate in candidates:
        if service.slug_owner(slugify(candidate)) is None:
            return candidate
    return candidates[-1]  # create_page then explains the clash


def write_up(thread: Thread, actor: User) -> Page:
    """Create a draft page from ``thread`` and record where it came from.

    :raises NotFound: when the actor may not read the thread (or it has no
        question left to write up).
    :raises Forbidden: when the thread is in a restricted forum, or deleted.
    :raises Conflict: when the thread is already written up as a live page;
        ``details["url"]`` links to it.
    """
    if not can_read_thread(actor, thread):
        raise NotFound(_("There is no thread %(id)s.", id=thread.id))
    if not permissions.can_write_up_thread(actor, thread):
        raise Forbidden(
            _("Threads in a restricted forum stay there: the wiki is read by everyone.")
        )
    existing = written_up_as(thread.id)
    if existing is not None:
        raise Conflict(
            _(
                "This thread is already written up as “%(title)s”.",
                title=existing.title,
            ),
            details={"url": existing.url, "title": existing.title},
        )
    question, accepted, best = _posts(thread)
    page = service.create_page(
        _free_title(thread.title),
        _body(thread, question, accepted, best),
        actor,
        summary=_("Written up from the thread “%(title)s”", title=thread.title)[:300],
        tags=[t.name for t in thread.tags],
        accounts=list(thread.accounts),
        state="draft",
    )
    db.session.add(
        ThreadWriteUp(thread_id=thread.id, page_id=page.id, created_by=actor)
    )
    db.session.flush()
    posts = [p for p in (question, accepted, *best) if p is not None]
    authors = list(dict.fromkeys(p.author for p in posts if p.author is not None))
    signals.thread_written_up.send(
        page, thread=thread, actor=actor, posts=posts, authors=authors
    )
    return page
