"""The unread count follows its owner's sockets, after commit only."""

import sqlalchemy as sa
from flask import g

from portal.auth.models import User
from portal.extensions import db, socketio
from portal.forums import service as forums_service
from portal.notifications import service
from tests.forums.factories import make_reply, make_thread
from tests.querycount import count_statements


def _counts(sio):
    return [e["args"][0] for e in sio.get_received() if e["name"] == "unread_count"]


def test_count_is_pushed_after_commit_and_on_mark_read(app, login, forum, alice, bob):
    thread = make_thread(forum, alice, "Topic")
    sio = socketio.test_client(app, flask_test_client=login(alice))
    assert sio.is_connected()
    sio.get_received()
    from portal.forums import service as forums_service

    forums_service.reply(thread, bob, "one")
    forums_service.reply(thread, bob, "two")
    assert _counts(sio) == []
    db.session.commit()
    # One push for the transaction, with the count after it.
    assert _counts(sio) == [{"count": 2, "text": "2"}]
    service.mark_all_read(alice)
    db.session.commit()
    assert _counts(sio) == [{"count": 0, "text": ""}]
    sio.disconnect()


def test_nothing_is_pushed_on_rollback(app, login, forum, alice, bob):
    thread = make_thread(forum, alice, "Topic")
    sio = socketio.test_client(app, flask_test_client=login(alice))
    sio.get_received()
    from portal.forums import service as forums_service

    forums_service.reply(thread, bob, "never mind")
    db.session.rollback()
    db.session.commit()
    assert _counts(sio) == []
    make_reply(thread, bob, "for real")
    assert _counts(sio) == [{"count": 1, "text": "1"}]
    sio.disconnect()


def test_others_do_not_receive_my_count(app, login, forum, alice, bob, carol):
    thread = make_thread(forum, alice, "Topic")
    sio = socketio.test_client(app, flask_test_client=login(carol))
    sio.get_received()
    make_reply(thread, bob, "for alice only")
    assert _counts(sio) == []
    sio.disconnect()


def test_each_watcher_gets_their_own_count(
    app, login, forum, hr_forum, hr_dept, alice, bob, make
):
    """People of other departments and moderators may see different
    notifications; each socket gets its owner's count, whoever else is told."""
    hr_person = make.user("hana", department=hr_dept)
    moderator = make.user("mona", role="moderator")
    readers = [alice, hr_person, moderator]
    first, second = make_thread(forum, bob, "First"), make_thread(forum, bob, "Second")
    for person in readers:
        service.watch(person, "thread", first.id)
        service.watch(person, "thread", second.id)
    db.session.commit()
    make_reply(first, bob, "news")
    forums_service.move_thread(first, moderator, hr_forum)  # now HR's only
    db.session.commit()
    sockets = []
    for person in readers:
        # A socket connects in the test's app context, where Flask-Login keeps
        # the last user it loaded; each socket must load its own.
        g.pop("_login_user", None)
        sockets.append(socketio.test_client(app, flask_test_client=login(person)))
    for sio in sockets:
        sio.get_received()
    make_reply(second, bob, "more news")
    assert [_counts(sio) for sio in sockets] == [
        [{"count": 1, "text": "1"}],  # alice no longer sees the first thread
        [{"count": 2, "text": "2"}],
        [{"count": 2, "text": "2"}],
    ]
    for sio in sockets:
        sio.disconnect()


def test_counting_for_many_watchers_costs_no_query_per_watcher(app, forum, alice, make):
    """A busy thread's reply updates everyone's count in one go."""
    thread = make_thread(forum, alice, "Busy")
    people = [make.user() for _ in range(20)]
    for person in people:
        service.watch(person, "thread", thread.id)
    db.session.commit()
    make_reply(thread, alice, "news")
    # Loaded at once, as the push loads them after the commit.
    people = db.session.scalars(
        sa.select(User).where(User.id.in_([p.id for p in people]))
    ).all()
    few = count_statements(lambda: service.unread_counts(people[:2]))
    many = count_statements(lambda: service.unread_counts(people))
    assert many == few
    assert service.unread_counts(people) == {person.id: 1 for person in people}
