"""The unread count follows its owner's sockets, after commit only."""

from portal.extensions import db, socketio
from portal.notifications import service
from tests.forums.factories import make_reply, make_thread


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
