"""Watching, notifying, counting and reading notifications."""

import pytest
import sqlalchemy as sa

from portal.errors import Invalid, NotFound
from portal.extensions import db
from portal.forums import service as forums_service
from portal.notifications import service
from portal.notifications.models import Notification, Watch
from tests.forums.factories import make_reply, make_thread


def test_watch_is_idempotent_and_unwatch_stops_it(forum, alice, bob):
    service.watch(alice, "forum", forum.id)
    service.watch(alice, "forum", forum.id)
    service.watch(bob, "forum", forum.id)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Watch.id))) == 2
    assert service.watcher_ids("forum", forum.id) == {alice.id, bob.id}
    assert service.unwatch(alice, "forum", forum.id) is True
    assert service.unwatch(alice, "forum", forum.id) is False
    db.session.commit()
    assert not service.is_watching(alice, "forum", forum.id)
    assert service.watcher_ids("forum", forum.id) == {bob.id}


def test_unknown_targets_are_refused(alice):
    with pytest.raises(Invalid):
        service.watch(alice, "planet", 1)
    with pytest.raises(NotFound):
        service.check_target(alice, "thread", 999)


def test_notify_skips_the_actor_and_the_inactive(alice, bob, carol):
    from portal.auth import service as auth_service

    auth_service.deactivate(carol, departed=True)
    rows = service.notify(
        {alice.id, bob.id, carol.id},
        kind="reply",
        actor=alice,
        title="T",
        url="/x",
        target="thread",
        target_id=1,
    )
    assert [r.user_id for r in rows] == [bob.id]


def test_unread_count_is_capped_for_the_badge(alice, bob):
    for n in range(120):
        service.notify(
            {bob.id},
            kind="reply",
            actor=alice,
            title=f"T{n}",
            url=f"/x/{n}",
            target="page",
            target_id=n,
        )
    db.session.commit()
    assert service.unread_count(bob) == 100
    assert service.badge_text(service.unread_count(bob)) == "99+"
    assert service.badge_text(5) == "5" and service.badge_text(0) == ""
    assert service.mark_all_read(bob) == 120
    assert service.unread_count(bob) == 0


def test_notifications_about_hidden_threads_disappear(
    forum, hr_forum, hr_dept, alice, bob, make
):
    moderator = make.user("mona", role="moderator")
    thread = make_thread(forum, alice, "Was public")
    make_reply(thread, bob, "reply")  # alice is told
    assert service.unread_count(alice) == 1
    forums_service.move_thread(thread, moderator, hr_forum)
    db.session.commit()
    # Alice is not in HR: the notification goes from her list and her count.
    assert service.unread_count(alice) == 0
    assert db.session.scalars(service.notifications_for(alice)).all() == []
    notification = db.session.scalar(sa.select(Notification))
    with pytest.raises(NotFound):
        service.mark_read(alice, notification.id)


def test_the_count_with_watching_is_the_count_and_the_watch(
    forum, hr_forum, alice, bob, make
):
    """A page with a watch button asks both in one query: the same answers."""
    moderator = make.user("mona", role="moderator")
    thread = make_thread(forum, alice, "Was public")
    make_reply(thread, bob, "one")
    make_reply(thread, bob, "two")  # alice is told twice
    service.watch(bob, "forum", forum.id)
    db.session.commit()
    for user in (alice, bob):
        for target, target_id in (("forum", forum.id), ("thread", thread.id)):
            assert service.unread_and_watching(user, target, target_id) == (
                service.unread_count(user),
                service.is_watching(user, target, target_id),
            )
    assert service.unread_and_watching(alice, "thread", thread.id) == (2, True)
    assert service.unread_and_watching(bob, "forum", forum.id) == (0, True)
    forums_service.move_thread(thread, moderator, hr_forum)
    db.session.commit()
    assert service.unread_and_watching(alice, "thread", thread.id) == (0, True)
    assert service.unread_and_watching(moderator, "thread", thread.id) == (0, False)


def test_unread_first_then_newest(alice, bob):
    rows = [
        service.notify(
            {bob.id},
            kind="reply",
            actor=alice,
            title=f"N{n}",
            url=f"/{n}",
            target="page",
            target_id=n,
        )[0]
        for n in range(3)
    ]
    db.session.commit()
    service.mark_read(bob, rows[2].id)
    db.session.commit()
    unread_first = db.session.scalars(service.notifications_for(bob)).all()
    assert [n.title for n in unread_first] == ["N1", "N0", "N2"]
    newest = db.session.scalars(service.notifications_for(bob, order="newest")).all()
    assert [n.title for n in newest] == ["N2", "N1", "N0"]


def test_one_cannot_mark_someone_elses_notification(alice, bob):
    [row] = service.notify(
        {bob.id},
        kind="reply",
        actor=alice,
        title="T",
        url="/x",
        target="page",
        target_id=1,
    )
    db.session.commit()
    with pytest.raises(NotFound):
        service.mark_read(alice, row.id)
