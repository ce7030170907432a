"""Who may read and do what in the forums: predicates shared by views and templates.

A forum restricted to a department is readable by that department, moderators
and admins; to everyone else its threads do not exist (404), wherever they
would show up.
"""

import functools
from dataclasses import dataclass

import sqlalchemy as sa

from portal.auth.models import User
from portal.auth.permissions import is_moderator
from portal.forums.models import Forum


def _active(user) -> bool:
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
    )


def can_read_forum(user, forum) -> bool:
    if not _active(user):
        return False
    if forum.department_id is None or is_moderator(user):
        return True
    return user.department_id == forum.department_id


def readable_forums_clause(user):
    """Return a boolean clause on ``Forum``: the forums ``user`` may read.

    Use it in ``where()`` for lists, search and notifications; it matches
    ``can_read_forum`` exactly.
    """
    if not _active(user):
        return sa.false()
    if is_moderator(user):
        return sa.true()
    return _readable(user.department_id)


@functools.cache
def _readable(department_id: int | None):
    """The clause for a department's readers: built once, since nearly every
    page asks (a clause is immutable, so threads share it)."""
    if department_id is None:
        return Forum.department_id.is_(None)
    return sa.or_(Forum.department_id.is_(None), Forum.department_id == department_id)


def reading_scope(user) -> tuple:
    """Return a key shared by exactly the people who read and moderate the same
    forums: ``readable_forums_clause`` and ``can_moderate`` depend on nothing
    else, so a query for one of them holds for all (keep them in step)."""
    if not _active(user):
        return ("nobody",)
    if is_moderator(user):
        return ("everything",)
    return ("department", user.department_id)


def forum_readers_clause(forum):
    """Return a boolean clause on ``User``: the active people who may read ``forum``."""
    active = sa.and_(User.active.is_(True), User.left_at.is_(None))
    if forum.department_id is None:
        return active
    return sa.and_(
        active,
        sa.or_(
            User.department_id == forum.department_id,
            User.role.in_(("moderator", "admin")),
        ),
    )


def can_moderate(user, forum=None) -> bool:
    """Moderators and admins moderate every forum they can read."""
    return _active(user) and is_moderator(user)


def can_manage_forums(user) -> bool:
    return _active(user) and user.role == "admin"


def can_read_thread(user, thread) -> bool:
    if not can_read_forum(user, thread.forum):
        return False
    return thread.deleted_at is None or can_moderate(user, thread.forum)


def can_post_thread(user, forum) -> bool:
    return can_read_forum(user, forum)


def can_reply(user, thread) -> bool:
    """Nobody replies to a locked or deleted thread; moderators unlock first."""
    return (
        can_read_thread(user, thread)
        and not thread.locked
        and thread.deleted_at is None
    )


@dataclass(frozen=True)
class _Access:
    """What a user may do in one thread before looking at a post: worked out
    once per thread, so a page of posts does not ask it again for each post."""

    user_id: int | None
    read: bool
    moderate: bool


def _access(user, thread) -> _Access:
    if not can_read_thread(user, thread):
        return _Access(None, False, False)
    return _Access(user.id, True, can_moderate(user, thread.forum))


def _may_edit(access: _Access, thread, post) -> bool:
    if not access.read or post.deleted_at is not None:
        return False
    return access.moderate or (post.author_id == access.user_id and not thread.locked)


def _may_delete(access: _Access, thread, post) -> bool:
    if not access.read or post.deleted_at is not None:
        return False
    if access.moderate:
        return True
    if post.author_id != access.user_id or thread.locked:
        return False
    return not post.is_first or thread.reply_count == 0


def _may_restore(access: _Access, post) -> bool:
    return post.deleted_at is not None and access.moderate


def _may_vote(access: _Access, post) -> bool:
    return access.read and post.deleted_at is None and post.author_id != access.user_id


def can_edit_post(user, post) -> bool:
    return _may_edit(_access(user, post.thread), post.thread, post)


def can_delete_post(user, post) -> bool:
    """Authors delete their own posts (a first post only while it has no
    replies, since it takes the thread with it); moderators delete any."""
    return _may_delete(_access(user, post.thread), post.thread, post)


def can_restore_post(user, post) -> bool:
    return _may_restore(_access(user, post.thread), post)


def can_vote(user, post) -> bool:
    return _may_vote(_access(user, post.thread), post)


def can_accept(user, thread) -> bool:
    """The asker and moderators choose the accepted answer of a question."""
    return (
        thread.is_question
        and thread.deleted_at is None
        and can_read_thread(user, thread)
        and (thread.author_id == user.id or can_moderate(user, thread.forum))
    )


@dataclass(frozen=True)
class PostActions:
    """What a user may do with one post, as the thread page shows it."""

    quote: bool
    vote: bool
    edit: bool
    delete: bool
    restore: bool
    accept: bool


def post_actions(user, thread, posts) -> dict[int, PostActions]:
    """Return ``{post_id: PostActions}`` for ``posts`` of ``thread``.

    The same rules as ``can_reply``, ``can_vote``, ``can_edit_post``,
    ``can_delete_post``, ``can_restore_post`` and ``can_accept``, with what
    depends only on the thread and the user worked out once for the page.
    """
    access = _access(user, thread)
    reply = access.read and can_reply(user, thread)
    accept = access.read and can_accept(user, thread)
    return {
        post.id: PostActions(
            quote=reply and post.deleted_at is None,
            vote=_may_vote(access, post),
            edit=_may_edit(access, thread, post),
            delete=_may_delete(access, thread, post),
            restore=_may_restore(access, post),
            accept=accept and not post.is_first and post.deleted_at is None,
        )
        for post in posts
    }


def can_view_history(user, post) -> bool:
    if not can_read_thread(user, post.thread):
        return False
    return post.deleted_at is None or can_moderate(user, post.thread.forum)


PREDICATES = {
    "can_read_forum": can_read_forum,
    "can_read_thread": can_read_thread,
    "can_post_thread": can_post_thread,
    "can_reply": can_reply,
    "can_edit_post": can_edit_post,
    "can_delete_post": can_delete_post,
    "can_restore_post": can_restore_post,
    "can_vote": can_vote,
    "can_accept": can_accept,
    "can_moderate": can_moderate,
    "can_manage_forums": can_manage_forums,
    "can_view_history": can_view_history,
}
