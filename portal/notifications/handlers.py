"""Who hears about what: notifications from the forums' and the wiki's signals.

Rules, for every event: never the person who did it; in the forums, only people
who may read the forum; one notification per person per event (a mention
beats a plain reply). Authors watch what they start or reply to.
"""

import sqlalchemy as sa

from portal import markup, signals
from portal.auth.models import User
from portal.extensions import db
from portal.forums.permissions import forum_readers_clause
from portal.notifications import service


def _usernames_to_ids(names) -> set[int]:
    names = set(names)
    if not names:
        return set()
    return set(db.session.scalars(sa.select(User.id).where(User.username.in_(names))))


def _new_mentions(body: str, previous_body: str | None = None) -> set[int]:
    if "@" not in body:  # parsing Markdown costs more than this look
        return set()
    names = set(markup.mentions(body)) - set(markup.mentions(previous_body or ""))
    return _usernames_to_ids(names)


def _forum_readers(forum, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(User.id).where(User.id.in_(ids), forum_readers_clause(forum))
        )
    )


# --- forums ---------------------------------------------------------------------


def on_thread_created(thread, author, post, **_):
    forum = thread.forum
    service.watch(author, "thread", thread.id)
    mentioned = _forum_readers(forum, _new_mentions(post.body)) - {author.id}
    watched = [("forum", forum.id)]
    watched += [("tag", tag.id) for tag in thread.tags]
    watched += [("account", account.id) for account in thread.accounts]
    watchers = _forum_readers(forum, service.watchers_of(watched))
    common = {"actor": author, "title": thread.title, "target": "thread"}
    service.notify(
        mentioned, kind="mention", url=post.url, target_id=thread.id, **common
    )
    service.notify(
        watchers - mentioned - {author.id},
        kind="new_thread",
        url=thread.url,
        target_id=thread.id,
        **common,
    )


def on_post_created(post, author, thread, **_):
    if post.is_first:
        return  # told by on_thread_created
    forum = thread.forum
    mentioned = _forum_readers(forum, _new_mentions(post.body)) - {author.id}
    all_watchers = service.watcher_ids("thread", thread.id)
    watchers = _forum_readers(forum, all_watchers)
    common = {
        "actor": author,
        "title": thread.title,
        "url": post.url,
        "target": "thread",
        "target_id": thread.id,
    }
    service.notify(mentioned, kind="mention", **common)
    service.notify(watchers - mentioned - {author.id}, kind="reply", **common)
    # Whoever joins the conversation hears how it goes on.
    if author.id not in all_watchers:
        service.watch(author, "thread", thread.id)


def on_post_edited(post, editor, previous_body, **_):
    thread = post.thread
    mentioned = _forum_readers(
        thread.forum, _new_mentions(post.body, previous_body)
    ) - {editor.id, post.author_id}
    service.notify(
        mentioned,
        kind="mention",
        actor=editor,
        title=thread.title,
        url=post.url,
        target="thread",
        target_id=thread.id,
    )


def on_answer_accepted(post, thread, actor, asker, **_):
    readers = _forum_readers(thread.forum, {post.author_id, asker.id})
    common = {
        "actor": actor,
        "title": thread.title,
        "url": post.url,
        "target": "thread",
        "target_id": thread.id,
    }
    if post.author_id in readers:
        service.notify({post.author_id}, kind="answer_accepted", **common)
    # When a moderator accepts for the asker, the asker should know.
    if asker.id in readers and asker.id != post.author_id:
        service.notify({asker.id}, kind="answer_accepted_asker", **common)


# --- wiki -----------------------------------------------------------------------


def _active(ids: set[int]) -> set[int]:
    # Wiki pages are open to everyone who can log in.
    if not ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(User.id).where(
                User.id.in_(ids), User.active.is_(True), User.left_at.is_(None)
            )
        )
    )


def on_page_created(page, author, revision, **_):
    service.watch(author, "page", page.id)
    mentioned = _active(_new_mentions(revision.body)) - {author.id}
    watched = [("tag", tag.id) for tag in getattr(page, "tags", [])]
    watched += [("account", account.id) for account in getattr(page, "accounts", [])]
    watchers = _active(service.watchers_of(watched))
    common = {"actor": author, "title": page.title, "url": page.url}
    service.notify(
        mentioned, kind="mention", target="page", target_id=page.id, **common
    )
    service.notify(
        watchers - mentioned - {author.id},
        kind="new_page",
        target="page",
        target_id=page.id,
        **common,
    )


def on_page_revised(page, author, revision, previous=None, **_):
    previous_body = previous.body if previous is not None else None
    mentioned = _active(_new_mentions(revision.body, previous_body)) - {author.id}
    common = {
        "actor": author,
        "title": page.title,
        "url": page.url,
        "target": "page",
        "target_id": page.id,
    }
    service.notify(mentioned, kind="mention", **common)
    if previous is not None:
        watchers = _active(service.watcher_ids("page", page.id))
        service.notify(
            watchers - mentioned - {author.id}, kind="page_revised", **common
        )


# --- experts ----------------------------------------------------------------------
# The experts package routes unanswered questions to people; whoever is asked
# hears it here, in the app and by mail, if they may read the question's forum.


def _routed(thread, experts, actor) -> set[int]:
    ids = {user.id for user in experts or () if user is not None}
    if actor is not None:
        ids.discard(actor.id)
    return _forum_readers(thread.forum, ids)


def on_expert_asked(request, thread, asker, experts, **_):
    service.notify(
        _routed(thread, experts, asker),
        kind="expert_asked",
        actor=asker,
        title=thread.title,
        url=thread.url,
        target="thread",
        target_id=thread.id,
    )


def on_question_escalated(request, thread, experts, **_):
    # Nobody in particular escalates: the experts package does, on a timer.
    service.notify(
        _routed(thread, experts, None),
        kind="question_escalated",
        actor=None,
        title=thread.title,
        url=thread.url,
        target="thread",
        target_id=thread.id,
    )


def init_app(app) -> None:
    signals.thread_created.connect(on_thread_created)
    signals.post_created.connect(on_post_created)
    signals.post_edited.connect(on_post_edited)
    signals.answer_accepted.connect(on_answer_accepted)
    signals.page_created.connect(on_page_created)
    signals.page_revised.connect(on_page_revised)
    signals.expert_asked.connect(on_expert_asked)
    signals.question_escalated.connect(on_question_escalated)
