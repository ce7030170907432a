"""Live threads over Socket.IO: readers see replies, edits and answers arrive.

Only logged-in sockets connect; each joins its own room ``user-<id>`` (the
notifications package pushes the unread count there) and, on request, the room
``thread-<id>`` of a thread its user may read.

Pushes go out after the transaction commits (DESIGN rule 3) and carry ids and
the address of the post's HTML fragment, not the HTML itself: the fragment
shows buttons that depend on who reads it (vote, edit, accept) and is in the
reader's language, so each browser fetches it for its own reader. With
``REDIS_URL`` set ``socketio.emit`` goes through Redis, so every server process
delivers it to its own sockets.
"""

from flask_login import current_user
from flask_socketio import join_room, leave_room

from portal import signals
from portal.effects import after_commit
from portal.extensions import db, socketio
from portal.forums.models import Thread
from portal.forums.permissions import can_read_thread


def thread_room(thread_id: int) -> str:
    return f"thread-{thread_id}"


def user_room(user_id: int) -> str:
    return f"user-{user_id}"


def fragment_url(post_id: int) -> str:
    return f"/forums/posts/{post_id}/fragment"


# --- socket events --------------------------------------------------------------


def on_connect(auth=None):
    """Refuse anonymous sockets; put the others in their user's room."""
    if not current_user.is_authenticated:
        return False
    join_room(user_room(current_user.id))
    return True


def on_join_thread(data):
    """Join the room of a thread the user may read; answer ``{"ok": bool}``."""
    try:
        thread_id = int((data or {}).get("thread_id"))
    except (TypeError, ValueError, AttributeError):
        return {"ok": False}
    thread = db.session.get(Thread, thread_id)
    if thread is None or not can_read_thread(current_user, thread):
        # The same answer for missing and hidden threads.
        return {"ok": False}
    try:
        join_room(thread_room(thread_id))
    except ValueError:
        # The page went away (its socket disconnected) before this event was
        # handled in its thread: there is no one left to push to.
        return {"ok": False}
    return {"ok": True}


def on_leave_thread(data):
    try:
        thread_id = int((data or {}).get("thread_id"))
    except (TypeError, ValueError, AttributeError):
        return {"ok": False}
    leave_room(thread_room(thread_id))
    return {"ok": True}


# --- pushes ---------------------------------------------------------------------


def savepoint_released() -> bool:
    """Tell whether an after-commit callback is running for a SAVEPOINT.

    SQLAlchemy sends ``after_commit`` when a savepoint is released too, while
    the real transaction is still open (and may yet roll back). A callback
    that finds itself there queues itself again for the real commit.
    """
    return db.session().in_nested_transaction()


_KEY = "tacit_live_pushes"


def _queue(event: str, thread_id: int, post_id: int, **extra) -> None:
    """Push ``event`` to the thread's room once the transaction commits.

    A transaction's pushes wait in one list behind one after-commit callback,
    so that however many posts a transaction writes, waiting costs the same.
    """
    payload = {
        "thread_id": thread_id,
        "post_id": post_id,
        "fragment": fragment_url(post_id),
        **extra,
    }
    session = db.session()
    transaction = session.get_transaction()
    state = session.info.get(_KEY)
    if state is None or state[0] is not transaction:
        state = (transaction, [])
        session.info[_KEY] = state
        after_commit(_send, state[1])
    state[1].append((event, thread_room(thread_id), payload))


def _send(pushes: list) -> None:
    if savepoint_released():
        after_commit(_send, pushes)
        return
    for event, room, payload in pushes:
        socketio.emit(event, payload, to=room)


def _post_created(post, author, thread, **_):
    if not post.is_first:  # nobody can be reading a thread that did not exist
        _queue("post_created", thread.id, post.id)


def _post_edited(post, **_):
    _queue("post_edited", post.thread_id, post.id)


def _post_deleted(post, **_):
    _queue("post_deleted", post.thread_id, post.id)


def _post_restored(post, **_):
    _queue("post_restored", post.thread_id, post.id)


def _answer_accepted(post, thread, previous=None, **_):
    _queue(
        "answer_accepted",
        thread.id,
        post.id,
        previous_post_id=previous.id if previous is not None else None,
    )


def _answer_unaccepted(post, thread, **_):
    _queue("answer_unaccepted", thread.id, post.id)


def init_app(app) -> None:
    # The server is rebuilt by every ``socketio.init_app``; register on it.
    socketio.on_event("connect", on_connect)
    socketio.on_event("join_thread", on_join_thread)
    socketio.on_event("leave_thread", on_leave_thread)
    signals.post_created.connect(_post_created)
    signals.post_edited.connect(_post_edited)
    signals.post_deleted.connect(_post_deleted)
    signals.post_restored.connect(_post_restored)
    signals.answer_accepted.connect(_answer_accepted)
    signals.answer_unaccepted.connect(_answer_unaccepted)
