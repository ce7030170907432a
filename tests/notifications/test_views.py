"""The notifications page, the navigation badge, and the watch button."""

import re

import sqlalchemy as sa

from portal.extensions import db
from portal.notifications import service
from portal.notifications.home import LIMIT
from portal.notifications.models import Notification
from tests.forums.factories import make_reply, make_thread


def _text(response) -> str:
    return response.get_data(as_text=True)


def _home_block_count(client) -> str:
    block = _text(client.get("/")).split("New for you")[1].split("</h2>")[0]
    found = re.search(r'<span class="badge badge-warn">([^<]+)</span>', block)
    return found[1] if found else ""


def test_the_home_block_counts_every_unread_notification(login, forum, alice, bob):
    thread = make_thread(forum, alice, "Renewal at ACME")
    client = login(alice)
    assert _home_block_count(client) == ""
    for n in range(LIMIT + 3):
        make_reply(thread, bob, f"news {n}")
        if n in (0, LIMIT - 2, LIMIT - 1, LIMIT + 2):
            assert _home_block_count(client) == str(n + 1)
    client.post("/notifications/read-all")
    assert _home_block_count(client) == ""


def test_badge_list_open_and_mark_all_read(login, forum, alice, bob):
    thread = make_thread(forum, alice, "客户续约 Renewal")
    reply = make_reply(thread, bob, "news")
    make_reply(thread, bob, "more news")
    client = login(alice)
    home = _text(client.get("/"))
    assert re.search(r"<span class=\"count\" data-unread-count>2</span>", home)
    page = _text(client.get("/notifications"))
    assert "Bob Chen replied to “客户续约 Renewal”" in page
    assert "2 unread" in page
    # Looking at the list changes nothing: a GET never writes.
    assert service.unread_count(alice) == 2
    first = db.session.scalar(
        sa.select(Notification).where(Notification.url == reply.url)
    )
    response = client.post(f"/notifications/{first.id}/open")
    assert response.status_code == 303
    assert response.headers["Location"] == reply.url
    assert service.unread_count(alice) == 1
    assert client.post("/notifications/read-all").status_code == 303
    assert service.unread_count(alice) == 0
    assert "All read" in _text(client.get("/notifications"))


def test_someone_elses_notification_is_404(login, forum, alice, bob, carol):
    thread = make_thread(forum, alice, "Topic")
    make_reply(thread, bob)
    notification = db.session.scalar(sa.select(Notification))
    assert (
        login(carol).post(f"/notifications/{notification.id}/open").status_code == 404
    )
    assert notification.read_at is None


def test_empty_page_invites(login, alice):
    page = _text(login(alice).get("/notifications"))
    assert "Watch a thread, a forum, a tag or a customer account" in page


def test_restricted_thread_notification_is_invisible_to_outsiders(
    login, forum, hr_forum, hr_dept, alice, bob, make
):
    moderator = make.user("mona", role="moderator")
    thread = make_thread(forum, alice, "Salary rumours")
    make_reply(thread, bob)
    from portal.forums import service as forums_service

    forums_service.move_thread(thread, moderator, hr_forum)
    db.session.commit()
    client = login(alice)
    assert "Salary rumours" not in _text(client.get("/notifications"))
    assert "data-unread-count></span>" in _text(client.get("/"))


def test_watch_button_toggles(login, forum, alice, bob):
    thread = make_thread(forum, alice, "Topic")
    client = login(bob)
    page = _text(client.get(thread.url))
    assert ">Watch</button>" in page
    response = client.post(
        "/watch",
        data={
            "target": "thread",
            "target_id": thread.id,
            "action": "watch",
            "next": thread.url,
        },
    )
    assert response.status_code == 303 and response.headers["Location"] == thread.url
    assert service.is_watching(bob, "thread", thread.id)
    assert ">Stop watching</button>" in _text(client.get(thread.url))
    client.post(
        "/watch",
        data={
            "target": "thread",
            "target_id": thread.id,
            "action": "unwatch",
            "next": thread.url,
        },
    )
    assert not service.is_watching(bob, "thread", thread.id)


def test_watch_refuses_hidden_or_unknown_targets_and_foreign_next(
    login, hr_forum, hr_dept, make, forum, alice
):
    insider = make.user("ines", department=hr_dept)
    secret = make_thread(hr_forum, insider, "Secret")
    client = login(alice)
    hidden = client.post("/watch", data={"target": "thread", "target_id": secret.id})
    assert hidden.status_code == 404
    assert (
        client.post(
            "/watch", data={"target": "forum", "target_id": hr_forum.id}
        ).status_code
        == 404
    )
    assert (
        client.post("/watch", data={"target": "planet", "target_id": 1}).status_code
        == 400
    )
    assert (
        client.post("/watch", data={"target": "forum", "target_id": "x"}).status_code
        == 400
    )
    response = client.post(
        "/watch",
        data={"target": "forum", "target_id": forum.id, "next": "//evil.example/"},
    )
    assert response.headers["Location"] == "/"
    assert not service.is_watching(alice, "thread", secret.id)
