"""The forums' answers to the files package: a post's files are as visible as
the post, and the posts about an account bring their files to its library."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal import signals
from portal.extensions import db
from portal.forums import permissions
from portal.forums.models import Forum, Post, Thread, thread_accounts

KIND = "post"


def _post_visible(post: Post, viewer) -> bool:
    if not permissions.can_read_thread(viewer, post.thread):
        return False
    return post.deleted_at is None or permissions.can_moderate(viewer)


def visible(kind, owner_id, viewer, **_):
    if kind != KIND:
        return None
    post = db.session.get(Post, owner_id)
    return post is not None and _post_visible(post, viewer)


def owner(kind, ids=None, ref=None, viewer=None, **_):
    if kind != KIND:
        return None
    if ref is not None:
        ids = [int(ref)] if str(ref).isdigit() and int(ref) < 2**31 else []
    if not ids:
        return {}
    # One query per relation, not per post: a library page names many posts.
    posts = db.session.scalars(
        sa.select(Post)
        .where(Post.id.in_(ids))
        .options(selectinload(Post.thread).selectinload(Thread.forum))
    )
    result = {}
    for post in posts:
        thread = post.thread
        result[post.id] = {
            "id": post.id,
            "title": thread.title,
            "url": post.url,
            "account_ids": [a.id for a in thread.accounts],
            "deleted": post.deleted_at is not None or thread.deleted_at is not None,
            "forum_id": thread.forum_id if thread.forum.restricted else None,
            "can_attach": viewer is not None
            and permissions.can_edit_post(viewer, post),
        }
    return result


def account_owners(account_id, viewer, **_):
    """The live posts in threads about the account, in forums the viewer reads."""

    def ids():
        return (
            sa.select(Post.id)
            .join(Thread, Post.thread_id == Thread.id)
            .join(Forum, Thread.forum_id == Forum.id)
            .join(thread_accounts, thread_accounts.c.thread_id == Thread.id)
            .where(
                thread_accounts.c.account_id == account_id,
                permissions.readable_forums_clause(viewer),
                Thread.deleted_at.is_(None),
                Post.deleted_at.is_(None),
            )
        )

    return signals.AttachmentOwners(KIND, permissions.reading_scope(viewer), ids)


def connect() -> None:
    signals.attachment_visible.connect(visible)
    signals.attachment_owner.connect(owner)
    signals.account_attachment_owners.connect(account_owners)
