"""Operations on forums, threads and posts: write, vote, accept, moderate, list.

Services take the acting user as an argument, validate, flush and send the
signals of ``portal.signals``; they never commit. Refusals are domain errors
with a message for the user and, for form input, the field it belongs to.
"""

import sqlalchemy as sa
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from portal import clock, markup, signals, versions
from portal.accounts.models import CustomerAccount
from portal.auth.models import Department, User
from portal.dbtypes import insert_unless_exists
from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.extensions import db
from portal.forums import permissions
from portal.forums.models import (
    KINDS,
    Forum,
    ModerationAction,
    Post,
    PostRevision,
    Thread,
    Vote,
    thread_accounts,
    thread_tags,
)
from portal.tags.models import Tag
from portal.tags.service import tags_from_text

MAX_TITLE = 200
MAX_BODY = 50_000
MAX_ACCOUNTS = 10
POSTS_PER_PAGE = 20
THREADS_PER_PAGE = 30
STATES = ("unanswered", "unaccepted")
# Forum slugs that would collide with the forums' own addresses.
RESERVED_SLUGS = frozenset(
    {"t", "posts", "moderation", "preview", "manage", "new", "threads"}
)


# --- finding things -------------------------------------------------------------


def get_forum(slug: str, viewer) -> Forum:
    """Return the forum ``slug`` if ``viewer`` may read it.

    :raises NotFound: when there is none, or it is restricted to a department
        the viewer is not in (they must not learn that it exists).
    """
    forum = db.session.scalar(sa.select(Forum).where(Forum.slug == slug))
    if forum is None or not permissions.can_read_forum(viewer, forum):
        raise NotFound(_("There is no forum %(slug)s.", slug=slug))
    return forum


def get_forum_by_id(forum_id: int, viewer) -> Forum:
    """:raises NotFound: when there is no such forum the viewer may read."""
    forum = db.session.get(Forum, forum_id)
    if forum is None or not permissions.can_read_forum(viewer, forum):
        raise NotFound(
            _("There is no forum with the id %(id)s.", id=forum_id),
            details={"field": "forum"},
        )
    return forum


def get_thread(thread_id: int, viewer) -> Thread:
    """Return the thread if ``viewer`` may read it.

    :raises NotFound: when there is none, it is in a forum the viewer may not
        read, or it is deleted and the viewer is not a moderator.
    """
    # Its tags and accounts in the same statement (a thread has a few of
    # each): two round trips fewer on every thread page than their selectin.
    thread = (
        db.session.scalars(
            sa.select(Thread)
            .where(Thread.id == thread_id)
            .options(
                joinedload(Thread.forum),
                joinedload(Thread.author),
                joinedload(Thread.tags),
                joinedload(Thread.accounts),
            )
        )
        .unique()
        .first()
    )
    if thread is None or not permissions.can_read_thread(viewer, thread):
        raise NotFound(_("There is no thread %(id)s.", id=thread_id))
    return thread


def get_post(post_id: int, viewer) -> Post:
    """Return the post if ``viewer`` may read its thread.

    :raises NotFound: when there is none or its thread is hidden from the viewer.
    """
    post = db.session.scalar(
        sa.select(Post)
        .where(Post.id == post_id)
        .options(
            joinedload(Post.author),
            joinedload(Post.thread).joinedload(Thread.forum),
        )
    )
    if post is None or not permissions.can_read_thread(viewer, post.thread):
        raise NotFound(_("There is no post %(id)s.", id=post_id))
    return post


def readable_forums(viewer) -> list[Forum]:
    """Return the forums ``viewer`` may read, in their display order."""
    return list(
        db.session.scalars(
            sa.select(Forum)
            .where(permissions.readable_forums_clause(viewer))
            .order_by(Forum.position, Forum.name)
            .options(
                joinedload(Forum.department),
                joinedload(Forum.last_thread).joinedload(Thread.last_poster),
            )
        ).unique()
    )


# --- validation -----------------------------------------------------------------


def _title(value: str | None) -> str:
    title = " ".join((value or "").split())
    if not title:
        raise Invalid(_("Title is required."), details={"field": "title"})
    if len(title) > MAX_TITLE:
        raise Invalid(
            _("A title is at most %(n)d characters.", n=MAX_TITLE),
            details={"field": "title"},
        )
    return title


def _body(value: str | None) -> str:
    # Browsers send CRLF; leading blank lines and trailing space mean nothing.
    body = (value or "").replace("\r\n", "\n").strip("\n").rstrip()
    if not body.strip():
        raise Invalid(_("Write something first."), details={"field": "body"})
    if len(body) > MAX_BODY:
        raise Invalid(
            _(
                "A post is at most %(n)d characters; this one has %(count)d.",
                n=MAX_BODY,
                count=len(body),
            ),
            details={"field": "body"},
        )
    return body


def _slug(title: str) -> str:
    return markup.slugify(title) or "thread"


def _user_exists(username: str) -> bool:
    return (
        db.session.scalar(sa.select(User.id).where(User.username == username))
        is not None
    )


def render(body: str) -> Markup:
    """Render a post body the way it will be stored."""
    return markup.render(body, user_exists=_user_exists)


def preview(body: str | None) -> Markup:
    """Return the HTML a post with ``body`` would show, writing nothing.

    :raises Invalid: when the body is empty or too long.
    """
    return render(_body(body))


def resolve_accounts(value) -> list[CustomerAccount]:
    """Return the accounts named in ``value``.

    ``value`` is a list of accounts or ids, or text: CRM references or exact
    account names, separated by commas.

    :raises Invalid: when one is unknown, or there are too many.
    """
    if value is None:
        return []
    if isinstance(value, str):
        items = [v.strip() for v in value.replace("，", ",").split(",")]
    else:
        items = list(value)
    accounts: list[CustomerAccount] = []
    for item in items:
        if item in ("", None):
            continue
        if isinstance(item, CustomerAccount):
            account = item
        elif isinstance(item, int):
            account = db.session.get(CustomerAccount, item)
        else:
            account = db.session.scalar(
                sa.select(CustomerAccount).where(
                    sa.or_(
                        CustomerAccount.crm_ref == item, CustomerAccount.name == item
                    )
                )
            )
        if account is None:
            raise Invalid(
                _("There is no customer account %(ref)s.", ref=item),
                details={"field": "accounts"},
            )
        if account not in accounts:
            accounts.append(account)
    if len(accounts) > MAX_ACCOUNTS:
        raise Invalid(
            _("Link at most %(n)d accounts.", n=MAX_ACCOUNTS),
            details={"field": "accounts"},
        )
    return accounts


def _tags(value) -> list[Tag]:
    if value and isinstance(value, list) and isinstance(value[0], Tag):
        return list(value)
    return tags_from_text(value)


def _log(actor: User, action: str, thread=None, post=None, detail: str = "") -> None:
    db.session.add(
        ModerationAction(
            actor_id=actor.id,
            action=action,
            thread_id=thread.id if thread is not None else None,
            post_id=post.id if post is not None else None,
            detail=detail[:500],
            created_at=clock.now(),
        )
    )


# --- forums ---------------------------------------------------------------------


def _forum_fields(
    forum: Forum | None,
    name: str,
    slug: str | None,
    description: str,
    kind: str,
    position: int | None,
) -> dict:
    name = " ".join((name or "").split())
    if not name:
        raise Invalid(_("Name is required."), details={"field": "name"})
    if len(name) > 120:
        raise Invalid(
            _("A name is at most %(n)d characters.", n=120), details={"field": "name"}
        )
    slug = markup.slugify(slug or name)[:120].strip("-")
    if not slug:
        raise Invalid(
            _("The address needs letters or digits."), details={"field": "slug"}
        )
    if slug in RESERVED_SLUGS:
        raise Invalid(
            _("The address %(slug)s is reserved; choose another.", slug=slug),
            details={"field": "slug"},
        )
    other = db.session.scalar(sa.select(Forum).where(Forum.slug == slug))
    if other is not None and other is not forum:
        raise Conflict(
            _("Another forum already has the address %(slug)s.", slug=slug),
            details={"field": "slug"},
        )
    if kind not in KINDS:
        raise Invalid(_("Choose a kind of forum."), details={"field": "kind"})
    description = (description or "").strip()
    if len(description) > 500:
        raise Invalid(
            _("A description is at most %(n)d characters.", n=500),
            details={"field": "description"},
        )
    if position is None:
        position = (db.session.scalar(sa.select(sa.func.max(Forum.position))) or 0) + 10
    return {
        "name": name,
        "slug": slug,
        "description": description,
        "kind": kind,
        "position": position,
    }


def create_forum(
    name: str,
    *,
    slug: str | None = None,
    description: str = "",
    kind: str = "discussion",
    department: Department | None = None,
    position: int | None = None,
) -> Forum:
    """Create a forum; with ``department`` only that department can see it.

    :raises Invalid: when a field is missing or malformed, or the slug is reserved.
    :raises Conflict: when the slug is taken.
    """
    forum = Forum(
        **_forum_fields(None, name, slug, description, kind, position),
        department_id=department.id if department is not None else None,
    )
    db.session.add(forum)
    db.session.flush()
    return forum


def update_forum(
    forum: Forum,
    *,
    name: str,
    slug: str | None,
    description: str,
    kind: str,
    department: Department | None,
    position: int | None,
) -> Forum:
    """Change a forum's name, address, description, kind, order or restriction.

    :raises Invalid: when a field is missing or malformed.
    :raises Conflict: when the slug is taken.
    """
    for key, value in _forum_fields(
        forum, name, slug, description, kind, position
    ).items():
        setattr(forum, key, value)
    forum.department_id = department.id if department is not None else None
    db.session.flush()
    return forum


# --- threads and posts ----------------------------------------------------------


def create_thread(
    forum: Forum,
    author: User,
    title: str,
    body: str,
    *,
    tags=None,
    accounts=None,
) -> Thread:
    """Start a thread in ``forum`` with its first post.

    :raises NotFound: when the author may not read the forum.
    :raises Invalid: when the title or body is empty or too long, or a tag or
        account is malformed or unknown.
    """
    if not permissions.can_post_thread(author, forum):
        raise NotFound(_("There is no forum %(slug)s.", slug=forum.slug))
    title = _title(title)
    body = _body(body)
    tag_list = _tags(tags)
    account_list = resolve_accounts(accounts)
    now = clock.now()
    thread = Thread(
        forum=forum,
        title=title,
        slug=_slug(title),
        author=author,
        created_at=now,
        last_activity_at=now,
        last_poster=author,
        reply_count=0,
        post_count=1,
        tags=tag_list,
        accounts=account_list,
    )
    post = Post(
        thread=thread,
        author=author,
        body=body,
        body_html=render(body),
        created_at=now,
        is_first=True,
    )
    db.session.add_all([thread, post])
    db.session.flush()
    forum.thread_count = Forum.thread_count + 1
    forum.post_count = Forum.post_count + 1
    forum.last_activity_at = now
    forum.last_thread_id = thread.id
    db.session.flush()
    signals.thread_created.send(thread, author=author, post=post)
    signals.post_created.send(post, author=author, thread=thread)
    return thread


def reply(thread: Thread, author: User, body: str) -> Post:
    """Add a reply at the end of ``thread``.

    :raises NotFound: when the author may not read the thread.
    :raises Conflict: when the thread is locked or deleted.
    :raises Invalid: when the body is empty or too long.
    """
    if not permissions.can_read_thread(author, thread):
        raise NotFound(_("There is no thread %(id)s.", id=thread.id))
    if thread.locked:
        raise Conflict(
            _("This thread is locked: it takes no more replies."),
            details={"field": "body"},
        )
    if thread.deleted_at is not None:
        raise Conflict(
            _("This thread is deleted: it takes no replies."),
            details={"field": "body"},
        )
    body = _body(body)
    now = clock.now()
    post = Post(
        thread=thread, author=author, body=body, body_html=render(body), created_at=now
    )
    db.session.add(post)
    thread.reply_count = Thread.reply_count + 1
    thread.post_count = Thread.post_count + 1
    thread.last_activity_at = now
    thread.last_poster_id = author.id
    forum = thread.forum
    forum.post_count = Forum.post_count + 1
    forum.last_activity_at = now
    forum.last_thread_id = thread.id
    db.session.flush()
    signals.post_created.send(post, author=author, thread=thread)
    return post


def edit_post(
    post: Post,
    editor: User,
    body: str,
    *,
    title: str | None = None,
    tags=None,
    accounts=None,
) -> Post:
    """Change a post, keeping its previous version; on a first post also the
    thread's title, tags and accounts (``None`` leaves them as they are).

    :raises Forbidden: when the editor is neither the author nor a moderator,
        or the thread is locked.
    :raises Invalid: when the body or title is empty or too long.
    """
    thread = post.thread
    if not permissions.can_edit_post(editor, post):
        if not permissions.can_read_thread(editor, thread):
            raise NotFound(_("There is no post %(id)s.", id=post.id))
        if post.author_id == editor.id and thread.locked:
            raise Forbidden(_("This thread is locked: its posts can no longer change."))
        raise Forbidden(_("Only the author and moderators can edit this post."))
    body = _body(body)
    new_title = _title(title) if post.is_first and title is not None else None
    new_tags = _tags(tags) if post.is_first and tags is not None else None
    new_accounts = (
        resolve_accounts(accounts) if post.is_first and accounts is not None else None
    )
    body_changed = body != post.body
    title_changed = new_title is not None and new_title != thread.title
    previous_body = post.body
    if body_changed or title_changed:
        number = (
            db.session.scalar(
                sa.select(sa.func.max(PostRevision.number)).where(
                    PostRevision.post_id == post.id
                )
            )
            or 0
        ) + 1
        db.session.add(
            PostRevision(
                post_id=post.id,
                number=number,
                title=thread.title if post.is_first else None,
                body=post.body,
                body_html=post.body_html,
                editor_id=post.edited_by_id or post.author_id,
                created_at=post.edited_at or post.created_at,
            )
        )
        post.body = body
        post.body_html = render(body)
        post.edited_at = clock.now()
        post.edited_by_id = editor.id
    if title_changed:
        thread.title = new_title
        thread.slug = _slug(new_title)
    tags_changed = new_tags is not None and [t.id for t in new_tags] != [
        t.id for t in thread.tags
    ]
    if tags_changed:
        thread.tags = new_tags
    accounts_changed = new_accounts is not None and {a.id for a in new_accounts} != {
        a.id for a in thread.accounts
    }
    if accounts_changed:
        thread.accounts = new_accounts
    db.session.flush()
    changed = body_changed or title_changed or tags_changed or accounts_changed
    if changed and editor.id != post.author_id:
        _log(editor, "edit_post", thread, post)
    if body_changed or title_changed:
        signals.post_edited.send(post, editor=editor, previous_body=previous_body)
    if title_changed or tags_changed or accounts_changed:
        signals.thread_updated.send(thread, actor=editor)
    return post


def _thread_visibility_changed(thread: Thread, delta: int) -> None:
    """Count a whole thread in (``+1``) or out (``-1``) of its forum's totals."""
    db.session.flush()
    replies = db.session.scalar(
        sa.select(Thread.reply_count).where(Thread.id == thread.id)
    )
    forum = thread.forum
    forum.thread_count = Forum.thread_count + delta
    forum.post_count = Forum.post_count + delta * (replies + 1)


def delete_post(post: Post, actor: User) -> Post:
    """Soft-delete a post, leaving a placeholder; a first post takes its thread.

    An accepted answer that is deleted stops being accepted.

    :raises NotFound: when the actor may not read the thread.
    :raises Forbidden: when the actor may not delete it.
    :raises Conflict: when it is already deleted.
    """
    thread = post.thread
    if not permissions.can_read_thread(actor, thread):
        raise NotFound(_("There is no post %(id)s.", id=post.id))
    if post.deleted_at is not None:
        raise Conflict(_("This post is already deleted."))
    if not permissions.can_delete_post(actor, post):
        if post.is_first and post.author_id == actor.id:
            raise Forbidden(
                _("The thread has replies, so only a moderator can delete it.")
            )
        raise Forbidden(_("Only the author and moderators can delete this post."))
    now = clock.now()
    if thread.accepted_post_id == post.id:
        _unaccept(thread, actor, log=False)
    post.deleted_at = now
    post.deleted_by_id = actor.id
    if post.is_first:
        thread.deleted_at = now
        _thread_visibility_changed(thread, -1)
    else:
        thread.reply_count = Thread.reply_count - 1
        if thread.deleted_at is None:
            thread.forum.post_count = Forum.post_count - 1
    if actor.id != post.author_id:
        _log(actor, "delete_post", thread, post)
    db.session.flush()
    signals.post_deleted.send(post, actor=actor)
    return post


def restore_post(post: Post, actor: User) -> Post:
    """Bring back a deleted post (and its thread, for a first post).

    :raises Forbidden: when the actor is not a moderator.
    :raises Conflict: when the post is not deleted.
    """
    thread = post.thread
    if not permissions.can_moderate(actor, thread.forum):
        raise Forbidden(_("Only moderators can restore posts."))
    if post.deleted_at is None:
        raise Conflict(_("This post is not deleted."))
    post.deleted_at = None
    post.deleted_by_id = None
    if post.is_first:
        thread.deleted_at = None
        _thread_visibility_changed(thread, +1)
    else:
        thread.reply_count = Thread.reply_count + 1
        if thread.deleted_at is None:
            thread.forum.post_count = Forum.post_count + 1
    _log(actor, "restore_post", thread, post)
    db.session.flush()
    signals.post_restored.send(post, actor=actor)
    return post


# --- votes ----------------------------------------------------------------------


def _existing_vote(post: Post, voter: User) -> Vote | None:
    return db.session.scalar(
        sa.select(Vote)
        .where(Vote.post_id == post.id, Vote.user_id == voter.id)
        .execution_options(populate_existing=True)
    )


def vote(post: Post, voter: User, value: int) -> Post:
    """Vote ``value`` (+1 or -1) on a post, or withdraw the vote (``0``).

    Voting the same way twice changes nothing; the post's score follows in the
    same transaction.

    :raises NotFound: when the voter may not read the thread.
    :raises Forbidden: when the post is the voter's own.
    :raises Conflict: when the post is deleted.
    :raises Invalid: when the value is not -1, 0 or +1.
    """
    # Who may vote is decided before what the vote says: a refusal does not
    # depend on how the request was filled in.
    if not permissions.can_read_thread(voter, post.thread):
        raise NotFound(_("There is no post %(id)s.", id=post.id))
    if post.author_id == voter.id:
        raise Forbidden(_("You cannot vote on your own post."))
    if post.deleted_at is not None:
        raise Conflict(_("This post is deleted; it takes no votes."))
    if value not in (-1, 0, 1):
        raise Invalid(_("A vote is up or down."))
    for _attempt in range(3):
        existing = _existing_vote(post, voter)
        previous = existing.value if existing is not None else 0
        if previous == value:
            return post
        if existing is None:
            inserted = insert_unless_exists(
                db.session, Vote, post_id=post.id, user_id=voter.id, value=value
            )
            if not inserted:
                # The same person's other click won the race; look again.
                continue
        elif value == 0:
            gone = db.session.execute(
                sa.delete(Vote).where(Vote.id == existing.id, Vote.value == previous)
            ).rowcount
            if not gone:
                continue
        else:
            changed = db.session.execute(
                sa.update(Vote)
                .where(Vote.id == existing.id, Vote.value == previous)
                .values(value=value, updated_at=clock.now())
            ).rowcount
            if not changed:
                continue
        # In SQL, so that votes of different people at once all count.
        score = db.session.execute(
            sa.update(Post)
            .where(Post.id == post.id)
            .values(score=Post.score + (value - previous))
            .returning(Post.score)
        ).scalar_one()
        set_committed_value(post, "score", score)
        # Written around the ORM, so no flush raises the thread's version.
        versions.touch(versions.thread(post.thread_id))
        if value == 0:
            signals.vote_withdrawn.send(post, voter=voter, previous=previous)
        else:
            signals.vote_cast.send(post, voter=voter, value=value, previous=previous)
        return post
    raise Conflict(_("Your vote changed at the same time elsewhere; try again."))


def votes_by(user, post_ids: list[int]) -> dict[int, int]:
    """Return ``{post_id: value}`` of ``user``'s votes among ``post_ids``."""
    if not post_ids or not getattr(user, "is_authenticated", False):
        return {}
    return dict(
        db.session.execute(
            sa.select(Vote.post_id, Vote.value).where(
                Vote.user_id == user.id, Vote.post_id.in_(post_ids)
            )
        ).all()
    )


# --- accepted answers -----------------------------------------------------------


def accept_answer(thread: Thread, post: Post, actor: User) -> Thread:
    """Accept ``post`` as the answer to the question ``thread``, replacing any
    answer accepted before.

    :raises Conflict: when the thread is a discussion, or the post is deleted.
    :raises Forbidden: when the actor is neither the asker nor a moderator.
    :raises Invalid: when the post is not a reply in this thread.
    """
    if not permissions.can_read_thread(actor, thread):
        raise NotFound(_("There is no thread %(id)s.", id=thread.id))
    if not thread.is_question:
        raise Conflict(
            _("This is a discussion: only answers to questions can be accepted.")
        )
    if not permissions.can_accept(actor, thread):
        raise Forbidden(_("Only the asker and moderators can accept an answer."))
    if post.thread_id != thread.id or post.is_first:
        raise Invalid(_("That post is not an answer in this thread."))
    if post.deleted_at is not None:
        raise Conflict(_("A deleted post cannot be the accepted answer."))
    previous = thread.accepted_post
    if previous is not None and previous.id == post.id:
        return thread
    thread.accepted_post = post
    db.session.flush()
    if actor.id != thread.author_id:
        _log(actor, "accept", thread, post)
        db.session.flush()
    if previous is not None:
        signals.answer_unaccepted.send(previous, thread=thread, actor=actor)
    signals.answer_accepted.send(
        post, thread=thread, actor=actor, asker=thread.author, previous=previous
    )
    return thread


def unaccept_answer(thread: Thread, actor: User) -> Thread:
    """Withdraw the accepted answer of ``thread``.

    :raises Forbidden: when the actor is neither the asker nor a moderator.
    :raises Conflict: when no answer is accepted.
    """
    if not permissions.can_read_thread(actor, thread):
        raise NotFound(_("There is no thread %(id)s.", id=thread.id))
    if not permissions.can_accept(actor, thread):
        raise Forbidden(_("Only the asker and moderators can accept an answer."))
    if thread.accepted_post_id is None:
        raise Conflict(_("No answer is accepted."))
    return _unaccept(thread, actor, log=actor.id != thread.author_id)


def _unaccept(thread: Thread, actor: User, *, log: bool) -> Thread:
    previous = thread.accepted_post
    thread.accepted_post = None
    if log:
        _log(actor, "unaccept", thread, previous)
    db.session.flush()
    signals.answer_unaccepted.send(previous, thread=thread, actor=actor)
    return thread


# --- moderation -----------------------------------------------------------------


def _require_moderator(actor: User, thread: Thread) -> None:
    if not permissions.can_read_thread(actor, thread):
        raise NotFound(_("There is no thread %(id)s.", id=thread.id))
    if not permissions.can_moderate(actor, thread.forum):
        raise Forbidden(_("Only moderators can do this."))


def set_pinned(thread: Thread, actor: User, pinned: bool) -> Thread:
    """Pin a thread to the top of its forum, or unpin it.

    :raises Forbidden: when the actor is not a moderator.
    """
    _require_moderator(actor, thread)
    if thread.pinned == pinned:
        return thread
    thread.pinned = pinned
    _log(actor, "pin" if pinned else "unpin", thread)
    db.session.flush()
    signals.thread_updated.send(thread, actor=actor)
    return thread


def set_locked(thread: Thread, actor: User, locked: bool) -> Thread:
    """Lock a thread against replies and edits, or unlock it.

    :raises Forbidden: when the actor is not a moderator.
    """
    _require_moderator(actor, thread)
    if thread.locked == locked:
        return thread
    thread.locked = locked
    _log(actor, "lock" if locked else "unlock", thread)
    db.session.flush()
    signals.thread_updated.send(thread, actor=actor)
    return thread


def move_thread(thread: Thread, actor: User, forum: Forum) -> Thread:
    """Move a thread to another forum.

    :raises Forbidden: when the actor is not a moderator.
    :raises Invalid: when the thread is already there.
    """
    _require_moderator(actor, thread)
    if not permissions.can_read_forum(actor, forum):
        raise NotFound(
            _("There is no forum %(slug)s.", slug=forum.slug),
            details={"field": "forum"},
        )
    old = thread.forum
    if old.id == forum.id:
        raise Invalid(
            _("The thread is already in %(forum)s.", forum=forum.name),
            details={"field": "forum"},
        )
    if thread.deleted_at is None:
        _thread_visibility_changed(thread, -1)
    thread.forum = forum
    if thread.deleted_at is None:
        _thread_visibility_changed(thread, +1)
        if forum.last_activity_at is None or (
            forum.last_activity_at < thread.last_activity_at
        ):
            forum.last_activity_at = thread.last_activity_at
            forum.last_thread_id = thread.id
    if old.last_thread_id == thread.id:
        old.last_thread_id = None
    _log(actor, "move", thread, detail=f"{old.name} → {forum.name}")
    db.session.flush()
    signals.thread_moved.send(thread, actor=actor, old_forum=old)
    return thread


def moderation_log():
    """Return a select of moderation actions, newest first."""
    return (
        sa.select(ModerationAction)
        .order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())
        .options(
            joinedload(ModerationAction.actor),
            joinedload(ModerationAction.thread),
        )
    )


# --- reading --------------------------------------------------------------------


def _post_order(thread: Thread) -> list:
    if not thread.is_question:
        return [Post.created_at, Post.id]
    # The question, then its accepted answer, then the best answers first;
    # deleted placeholders sink to the end.
    order = [sa.case((Post.is_first.is_(True), 0), else_=1)]
    if thread.accepted_post_id is not None:
        order.append(sa.case((Post.id == thread.accepted_post_id, 0), else_=1))
    order += [
        sa.case((Post.deleted_at.is_(None), 0), else_=1),
        Post.score.desc(),
        Post.created_at,
        Post.id,
    ]
    return order


def thread_posts(thread: Thread, page: int = 1):
    """Return page ``page`` of the thread's posts (20 a page), authors loaded.

    The total comes from the thread's counter, not a COUNT.
    """
    stmt = (
        sa.select(Post)
        .where(Post.thread_id == thread.id)
        .order_by(*_post_order(thread))
        .options(joinedload(Post.author))
    )
    pagination = db.paginate(
        stmt, page=page, per_page=POSTS_PER_PAGE, error_out=False, count=False
    )
    pagination.total = thread.post_count
    return pagination


def page_of_post(post: Post) -> int:
    """Return the page of its thread on which ``post`` is shown."""
    ids = list(
        db.session.scalars(
            sa.select(Post.id)
            .where(Post.thread_id == post.thread_id)
            .order_by(*_post_order(post.thread))
        )
    )
    return ids.index(post.id) // POSTS_PER_PAGE + 1


def quote(post: Post) -> str:
    """Return ``post`` as a Markdown quote with a line saying who wrote it."""
    lines = post.body.splitlines() or [""]
    quoted = "\n".join(f"> {line}" if line else ">" for line in lines)
    attribution = _("%(name)s wrote:", name=post.author.display_name)
    return f"[{attribution}]({post.url})\n{quoted}\n\n"


def revisions(post: Post) -> list[PostRevision]:
    """Return the previous versions of ``post``, newest first."""
    return list(
        db.session.scalars(
            sa.select(PostRevision)
            .where(PostRevision.post_id == post.id)
            .order_by(PostRevision.number.desc())
            .options(joinedload(PostRevision.editor))
        )
    )


def list_threads(
    viewer,
    *,
    forum: Forum | None = None,
    tag: Tag | None = None,
    account: CustomerAccount | None = None,
    state: str | None = None,
    author: User | None = None,
):
    """Return a select of the threads ``viewer`` may read, filtered.

    In one forum pinned threads come first; then the most recent activity.
    ``state`` is ``unanswered`` (no reply yet) or ``unaccepted`` (no accepted
    answer), for questions.
    """
    stmt = (
        sa.select(Thread)
        .join(Thread.forum)
        .where(permissions.readable_forums_clause(viewer), Thread.deleted_at.is_(None))
        .options(
            contains_eager(Thread.forum),
            joinedload(Thread.author),
            joinedload(Thread.last_poster),
        )
    )
    order = [Thread.last_activity_at.desc(), Thread.id.desc()]
    if forum is not None:
        stmt = stmt.where(Thread.forum_id == forum.id)
        order.insert(0, Thread.pinned.desc())
    if tag is not None:
        stmt = stmt.where(
            Thread.id.in_(
                sa.select(thread_tags.c.thread_id).where(thread_tags.c.tag_id == tag.id)
            )
        )
    if account is not None:
        stmt = stmt.where(
            Thread.id.in_(
                sa.select(thread_accounts.c.thread_id).where(
                    thread_accounts.c.account_id == account.id
                )
            )
        )
    if author is not None:
        stmt = stmt.where(Thread.author_id == author.id)
    if state in STATES:
        stmt = stmt.where(Forum.kind == "questions")
        if state == "unanswered":
            stmt = stmt.where(Thread.reply_count == 0)
        else:
            stmt = stmt.where(Thread.accepted_post_id.is_(None))
    return stmt.order_by(*order)


def recent_replies(viewer, author: User, limit: int = 10) -> list[Post]:
    """Return ``author``'s latest replies in threads ``viewer`` may read."""
    return list(
        db.session.scalars(
            sa.select(Post)
            .join(Post.thread)
            .join(Thread.forum)
            .where(
                Post.author_id == author.id,
                Post.is_first.is_(False),
                Post.deleted_at.is_(None),
                Thread.deleted_at.is_(None),
                permissions.readable_forums_clause(viewer),
            )
            .order_by(Post.created_at.desc(), Post.id.desc())
            .limit(limit)
            .options(joinedload(Post.thread).joinedload(Thread.forum))
        )
    )


def movable_forums(thread: Thread, viewer) -> list[Forum]:
    return [f for f in readable_forums(viewer) if f.id != thread.forum_id]


def recount() -> dict[str, int]:
    """Rebuild every counter (replies, posts, scores, forum totals) from the rows."""
    changed = {"threads": 0, "posts": 0, "forums": 0}
    scores = dict(
        db.session.execute(
            sa.select(Vote.post_id, sa.func.sum(Vote.value)).group_by(Vote.post_id)
        ).all()
    )
    for post in db.session.scalars(sa.select(Post)):
        score = int(scores.get(post.id, 0))
        if post.score != score:
            post.score = score
            changed["posts"] += 1
    for thread in db.session.scalars(sa.select(Thread)):
        rows = db.session.execute(
            sa.select(Post.is_first, Post.deleted_at, Post.created_at, Post.author_id)
            .where(Post.thread_id == thread.id)
            .order_by(Post.created_at, Post.id)
        ).all()
        replies = sum(1 for r in rows if not r.is_first and r.deleted_at is None)
        live = [r for r in rows if r.deleted_at is None]
        last = live[-1] if live else None
        values = {
            "reply_count": replies,
            "post_count": len(rows),
            "last_activity_at": last.created_at if last else thread.created_at,
            "last_poster_id": last.author_id if last else thread.author_id,
        }
        if any(getattr(thread, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(thread, k, v)
            changed["threads"] += 1
    db.session.flush()
    for forum in db.session.scalars(sa.select(Forum)):
        visible = sa.and_(Thread.forum_id == forum.id, Thread.deleted_at.is_(None))
        threads = db.session.scalar(sa.select(sa.func.count(Thread.id)).where(visible))
        posts = db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Thread.reply_count + 1), 0)).where(
                visible
            )
        )
        last = db.session.execute(
            sa.select(Thread.id, Thread.last_activity_at)
            .where(visible)
            .order_by(Thread.last_activity_at.desc(), Thread.id.desc())
            .limit(1)
        ).first()
        values = {
            "thread_count": threads,
            "post_count": int(posts),
            "last_thread_id": last.id if last else None,
            "last_activity_at": last.last_activity_at if last else None,
        }
        if any(getattr(forum, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(forum, k, v)
            changed["forums"] += 1
    db.session.flush()
    return changed
