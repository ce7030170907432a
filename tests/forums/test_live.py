"""Live threads in one process: who may connect and listen, and when pushes go out."""

import pytest
from flask import request
from flask_login import login_user

from portal.extensions import db, socketio
from portal.forums import service
from portal.forums.live import on_join_thread
from tests.forums.factories import make_reply, make_thread


def _events(sio, name):
    return [e["args"][0] for e in sio.get_received() if e["name"] == name]


@pytest.fixture
def reader(make):
    return make.user("rita", display_name="Rita Reader")


@pytest.fixture
def listening(app, login, reader):
    """A logged-in socket for ``reader``: ``listening(thread)`` joins its room."""
    clients = []

    def _listen(thread):
        sio = socketio.test_client(app, flask_test_client=login(reader))
        clients.append(sio)
        assert sio.is_connected()
        assert sio.emit("join_thread", {"thread_id": thread.id}, callback=True) == {
            "ok": True
        }
        sio.get_received()
        return sio

    yield _listen
    for sio in clients:
        if sio.is_connected():
            sio.disconnect()


def test_anonymous_sockets_are_refused(app, client):
    sio = socketio.test_client(app, flask_test_client=client)
    assert not sio.is_connected()


def test_a_reply_is_pushed_to_the_room_after_commit(
    discussion, employee, make, listening
):
    thread = make_thread(discussion, employee)
    sio = listening(thread)
    post = service.reply(thread, make.user("kai"), "Fresh news")
    assert _events(sio, "post_created") == []  # not before the commit
    db.session.commit()
    assert _events(sio, "post_created") == [
        {
            "thread_id": thread.id,
            "post_id": post.id,
            "fragment": f"/forums/posts/{post.id}/fragment",
        }
    ]


def test_nothing_is_pushed_on_rollback(discussion, employee, make, listening):
    thread = make_thread(discussion, employee)
    sio = listening(thread)
    service.reply(thread, make.user("kai"), "Never mind")
    db.session.rollback()
    db.session.commit()
    assert sio.get_received() == []


def test_edits_and_accepted_answers_are_pushed(question, asker, make, listening):
    first = make_reply(question, make.user("a1"), "First try")
    second = make_reply(question, make.user("a2"), "Better")
    sio = listening(question)
    service.edit_post(first, first.author, "First try, improved")
    service.accept_answer(question, first, asker)
    db.session.commit()
    service.accept_answer(question, second, asker)
    db.session.commit()
    received = sio.get_received()
    names = [e["name"] for e in received]
    assert names == [
        "post_edited",
        "answer_accepted",
        "answer_unaccepted",
        "answer_accepted",
    ]
    assert received[-1]["args"][0]["previous_post_id"] == first.id
    assert received[-1]["args"][0]["post_id"] == second.id


def test_a_reply_through_the_page_reaches_other_readers(
    login, discussion, employee, make, listening
):
    thread = make_thread(discussion, employee)
    sio = listening(thread)
    response = login(make.user("kai")).post(
        f"/forums/t/{thread.id}/reply", data={"body": "Posted through the form"}
    )
    assert response.status_code == 302
    [event] = _events(sio, "post_created")
    fragment = login(employee).get(event["fragment"])
    assert fragment.status_code == 200
    assert "Posted through the form" in fragment.get_data(as_text=True)


def test_an_outsider_cannot_join_a_restricted_room(
    app, login, secret_thread, outsider, insider
):
    sio = socketio.test_client(app, flask_test_client=login(outsider))
    assert sio.is_connected()
    assert sio.emit("join_thread", {"thread_id": secret_thread.id}, callback=True) == {
        "ok": False
    }
    assert sio.emit("join_thread", {"thread_id": "nonsense"}, callback=True) == {
        "ok": False
    }
    sio.get_received()
    make_reply(secret_thread, insider, "Confidential follow-up")
    assert sio.get_received() == []
    sio.disconnect()


def test_joining_after_the_page_went_away_is_harmless(app, discussion, reader):
    """A page that navigates away right after asking to join: the event is
    handled in a thread after its socket disconnected, and must not fail."""
    thread = make_thread(discussion, reader, "Gone before joining")
    with app.test_request_context("/socket.io/"):
        login_user(reader)
        request.sid, request.namespace = "gone", "/"
        assert on_join_thread({"thread_id": thread.id}) == {"ok": False}
