"""Watching things and being notified: subscribe, notify, count, mark read.

Notifications are written in the transaction of what caused them; the live
unread count is pushed after it commits. A notification about a thread its
reader can no longer see (moved to a restricted forum, deleted) is hidden from
their list and their count.
"""

from functools import partial

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, joinedload

from portal import clock
from portal.accounts.models import CustomerAccount
from portal.auth.models import User
from portal.dbtypes import insert_unless_exists
from portal.errors import Invalid, NotFound
from portal.extensions import db
from portal.forums.models import Forum, Thread
from portal.forums.permissions import (
    can_moderate,
    can_read_forum,
    can_read_thread,
    readable_forums_clause,
    reading_scope,
)
from portal.notifications import live, mail
from portal.notifications.models import TARGETS, Notification, Watch
from portal.tags.models import Tag

UNREAD_CAP = 100  # the badge says "99+" beyond this; counting further costs time
KINDS = (
    "reply",
    "new_thread",
    "mention",
    "answer_accepted",
    "answer_accepted_asker",
    "page_revised",
    "new_page",
    "expert_asked",
    "question_escalated",
    "handover_task",
)
_SENT_KEY = "tacit_notified"


# --- watching -------------------------------------------------------------------


def _target(target: str, target_id) -> tuple[str, int]:
    if target not in TARGETS:
        raise Invalid(_("You cannot watch that."))
    try:
        return target, int(target_id)
    except (TypeError, ValueError):
        raise Invalid(_("You cannot watch that.")) from None


def check_target(user, target: str, target_id) -> tuple[str, int]:
    """Return ``(target, id)`` if it exists and ``user`` may see it.

    :raises Invalid: when the kind of target is unknown.
    :raises NotFound: when there is no such thing, or it is hidden from the user.
    """
    target, target_id = _target(target, target_id)
    found = None
    if target == "thread":
        thread = db.session.get(Thread, target_id)
        found = thread if thread and can_read_thread(user, thread) else None
    elif target == "forum":
        forum = db.session.get(Forum, target_id)
        found = forum if forum and can_read_forum(user, forum) else None
    elif target == "tag":
        found = db.session.get(Tag, target_id)
    elif target == "account":
        found = db.session.get(CustomerAccount, target_id)
    elif target == "page":
        from portal.wiki.models import Page  # the wiki is optional to this package

        page = db.session.get(Page, target_id)
        found = page if page is not None and page.deleted_at is None else None
    if found is None:
        raise NotFound(_("There is nothing to watch there."))
    return target, target_id


def watch(user: User, target: str, target_id: int) -> Watch:
    """Make ``user`` watch a thread, forum, tag, account or page (idempotent).

    :raises Invalid: when the kind of target is unknown.
    """
    target, target_id = _target(target, target_id)
    existing = _watch(user, target, target_id)
    if existing is not None:
        return existing
    # A second click racing the first finds the watch made: that is the point.
    insert_unless_exists(
        db.session, Watch, user_id=user.id, target=target, target_id=target_id
    )
    return _watch(user, target, target_id)


def unwatch(user: User, target: str, target_id: int) -> bool:
    """Stop ``user`` watching; return whether they were."""
    target, target_id = _target(target, target_id)
    removed = db.session.execute(
        sa.delete(Watch).where(
            Watch.user_id == user.id,
            Watch.target == target,
            Watch.target_id == target_id,
        )
    ).rowcount
    return bool(removed)


def is_watching(user, target: str, target_id: int) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return _watch(user, target, target_id) is not None


def _watch(user, target: str, target_id: int) -> Watch | None:
    return db.session.scalar(
        sa.select(Watch).where(
            Watch.user_id == user.id,
            Watch.target == target,
            Watch.target_id == target_id,
        )
    )


def watcher_ids(target: str, target_id: int) -> set[int]:
    """Return the ids of the users watching one target."""
    return watchers_of([(target, target_id)])


def watchers_of(targets: list[tuple[str, int]]) -> set[int]:
    """Return the ids of the users watching any of ``targets``."""
    if not targets:
        return set()
    condition = sa.or_(
        *(sa.and_(Watch.target == t, Watch.target_id == i) for t, i in targets)
    )
    return set(db.session.scalars(sa.select(Watch.user_id).where(condition)))


# --- notifying ------------------------------------------------------------------


def _sent_in_this_transaction() -> set:
    """Notifications written in the current transaction, to skip duplicates
    when two signals describe one event (a page created and revised)."""
    session = db.session()
    transaction = session.get_transaction()
    state = session.info.get(_SENT_KEY)
    if state is None or state[0] is not transaction:
        state = (transaction, set())
        session.info[_SENT_KEY] = state
    return state[1]


def notify(
    recipient_ids,
    *,
    kind: str,
    actor: User | None,
    title: str,
    url: str,
    target: str,
    target_id: int,
) -> list[Notification]:
    """Write one notification for each recipient (never the actor) and push
    their unread counts after commit.

    The caller decides who may be told (readers of the forum); inactive users
    are skipped here.
    """
    ids = {int(i) for i in recipient_ids if i is not None}
    if actor is not None:
        ids.discard(actor.id)
    if not ids:
        return []
    ids = set(
        db.session.scalars(
            sa.select(User.id).where(
                User.id.in_(ids), User.active.is_(True), User.left_at.is_(None)
            )
        )
    )
    sent = _sent_in_this_transaction()
    now = clock.now()
    rows = []
    for user_id in sorted(ids):
        key = (user_id, target, target_id, url)
        if key in sent:
            continue
        sent.add(key)
        rows.append(
            Notification(
                user_id=user_id,
                kind=kind,
                actor_id=actor.id if actor is not None else None,
                title=title[:300],
                url=url[:500],
                target=target,
                target_id=target_id,
                created_at=now,
            )
        )
    if rows:
        db.session.add_all(rows)
        db.session.flush()
        live.queue_unread_push({row.user_id for row in rows})
        # Mailed in the same transaction: a rollback leaves no mail behind.
        mail.queue_notifications(rows)
    return rows


# --- reading --------------------------------------------------------------------


def _visible(user):
    """A clause on Notification: what ``user`` may still see.

    Thread notifications need the thread to be readable now: not deleted (for
    non-moderators) and in a forum the user may read.
    """
    if can_moderate(user):
        return sa.true()
    readable_thread = (
        sa.select(Thread.id)
        .join(Forum, Forum.id == Thread.forum_id)
        .where(
            Thread.id == Notification.target_id,
            Thread.deleted_at.is_(None),
            readable_forums_clause(user),
        )
        .exists()
    )
    return sa.or_(Notification.target != "thread", readable_thread)


def unread_count(
    user, session: Session | None = None, *, cap: int | None = UNREAD_CAP
) -> int:
    """Return how many unread notifications ``user`` has, at most ``cap``.

    The navigation shows it on every page, so it stops counting at the cap.
    """
    if not getattr(user, "is_authenticated", False):
        return 0
    return unread_counts([user], session, cap=cap)[user.id]


def unread_counts(
    users, session: Session | None = None, *, cap: int | None = UNREAD_CAP
) -> dict[int, int]:
    """Return ``{user id: unread count}`` for ``users``, each at most ``cap``.

    People who may see the same notifications (the same department and role)
    are counted in one query, so that a reply watched by a whole department
    costs one query, not one per person.
    """
    session = session or db.session
    groups: dict[tuple, list] = {}  # reading scope -> its users
    for user in users:
        groups.setdefault(reading_scope(user), []).append(user)
    counts = {}
    for scope, members in groups.items():
        stmt = _statement("count", scope, cap, partial(_counting, members[0], cap))
        rows = session.execute(stmt, {"ids": [user.id for user in members]})
        counts.update((user_id, count) for user_id, count in rows)
    return counts


def unread_and_watching(
    user, target: str, target_id: int, *, cap: int | None = UNREAD_CAP
) -> tuple[int, bool]:
    """``user``'s unread count (``unread_count``) and whether they watch the
    target (``is_watching``), in one statement: a page with a watch button
    shows both."""
    if not getattr(user, "is_authenticated", False):
        return 0, False

    def build():
        watching = (
            sa.select(Watch.id)
            .where(
                Watch.user_id == User.id,
                Watch.target == sa.bindparam("target"),
                Watch.target_id == sa.bindparam("target_id"),
            )
            .correlate(User)
            .exists()
        )
        return _counting(user, cap).add_columns(watching)

    stmt = _statement("count and watch", reading_scope(user), cap, build)
    _, count, watching = db.session.execute(
        stmt, {"ids": [user.id], "target": target, "target_id": target_id}
    ).one()
    return count, watching


# (what, reading scope, cap) -> its statement: built once, since every page
# asks (a statement is immutable, so threads share it).
_STATEMENTS: dict[tuple, sa.Select] = {}


def _statement(what: str, scope: tuple, cap: int | None, build) -> sa.Select:
    stmt = _STATEMENTS.get((what, scope, cap))
    if stmt is None:
        stmt = _STATEMENTS[what, scope, cap] = build()
    return stmt


def _counting(user, cap: int | None) -> sa.Select:
    unread = (
        sa.select(Notification.id)
        .where(
            Notification.user_id == User.id,
            Notification.read_at.is_(None),
            _visible(user),  # the same for everyone in the user's scope
        )
        .correlate(User)
    )
    if cap is not None:
        unread = unread.limit(cap)
    counted = (
        sa.select(sa.func.count())
        .select_from(unread.subquery())
        .correlate(User)
        .scalar_subquery()
    )
    return sa.select(User.id, counted).where(
        User.id.in_(sa.bindparam("ids", expanding=True))
    )


def badge_text(count: int) -> str:
    """How the navigation shows a count: nothing, a number, or "99+"."""
    if not count:
        return ""
    return "99+" if count >= UNREAD_CAP else str(count)


def notifications_for(user, *, order: str = "unread"):
    """Return a select of the notifications ``user`` may see.

    ``order`` ``unread`` puts unread ones first, then newest; ``newest`` is
    newest first only.
    """
    stmt = (
        sa.select(Notification)
        .where(Notification.user_id == user.id, _visible(user))
        .options(joinedload(Notification.actor))
    )
    newest = [Notification.created_at.desc(), Notification.id.desc()]
    if order == "unread":
        unread_first = sa.case((Notification.read_at.is_(None), 0), else_=1)
        return stmt.order_by(unread_first, *newest)
    return stmt.order_by(*newest)


def mark_read(user, notification_id: int) -> Notification:
    """Mark one of ``user``'s notifications read and return it.

    :raises NotFound: when it is not theirs, or no longer visible to them.
    """
    notification = db.session.scalar(
        sa.select(Notification).where(
            Notification.id == notification_id,
            Notification.user_id == user.id,
            _visible(user),
        )
    )
    if notification is None:
        raise NotFound(_("There is no such notification."))
    if notification.read_at is None:
        notification.read_at = clock.now()
        db.session.flush()
        live.queue_unread_push({user.id})
    return notification


def mark_all_read(user) -> int:
    """Mark every unread notification of ``user`` read; return how many."""
    count = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    ).rowcount
    if count:
        live.queue_unread_push({user.id})
    return count
