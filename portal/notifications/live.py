"""The unread-notification count, pushed live to each person's sockets.

Sockets join ``user-<id>`` when they connect (``portal.forums.live``). A
transaction that writes or reads notifications collects the affected users and
pushes their new counts once, after it commits; a rollback pushes nothing.
"""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.effects import after_commit
from portal.extensions import db, socketio
from portal.forums.live import savepoint_released

_KEY = "tacit_unread_push"


def user_room(user_id: int) -> str:
    return f"user-{user_id}"


def queue_unread_push(user_ids: set[int]) -> None:
    """Push the unread counts of ``user_ids`` after the current transaction commits."""
    session = db.session()
    transaction = session.get_transaction()
    state = session.info.get(_KEY)
    if state is None or state[0] is not transaction:
        # One push per transaction, however many notifications it writes.
        state = (transaction, set())
        session.info[_KEY] = state
        after_commit(_push, state[1])
    state[1].update(user_ids)


def _push(user_ids: set[int]) -> None:
    from portal.notifications.service import badge_text, unread_counts

    if savepoint_released():
        after_commit(_push, user_ids)
        return

    # The request's session has finished its transaction; count in a new one.
    with Session(db.engine) as session:
        users = session.scalars(sa.select(User).where(User.id.in_(sorted(user_ids))))
        counts = unread_counts(users.all(), session)
    # One message for all who have the same count: a reply to a thread watched
    # by hundreds is a few messages through Redis, not hundreds.
    rooms_by_count: dict[int, list[str]] = {}
    for user_id, count in sorted(counts.items()):
        rooms_by_count.setdefault(count, []).append(user_room(user_id))
    for count, rooms in rooms_by_count.items():
        socketio.emit(
            "unread_count", {"count": count, "text": badge_text(count)}, to=rooms
        )
