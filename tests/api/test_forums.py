"""API v1 forums: threads, replies, votes and accepted answers, as the token's owner."""

import pytest

from portal.extensions import db
from portal.forums.models import Post, Thread
from tests.forums.factories import make_forum, make_reply, make_thread


@pytest.fixture
def questions(app):
    return make_forum("Questions", kind="questions", slug="questions")


@pytest.fixture
def secret_forum(make):
    legal = make.department("Legal")
    return make_forum("Contracts", slug="contracts", department=legal), legal


def test_create_thread_and_read_it_back_in_chinese(api, employee, questions):
    client = api(employee)
    created = client.post(
        "/threads",
        json={
            "forum": "questions",
            "title": "ACME 续约的折扣怎么谈？",
            "body": "去年给了 **8%**。",
            "tags": ["续约"],
        },
    )
    assert created.status_code == 201, created.get_json()
    thread = created.get_json()
    assert thread["title"] == "ACME 续约的折扣怎么谈？" and thread["question"]
    assert thread["tags"] == ["续约"] and thread["forum"] == "questions"
    fetched = client.get(f"/threads/{thread['id']}").get_json()
    assert fetched["posts"][0]["body"] == "去年给了 **8%**。"
    assert "<strong>8%</strong>" in fetched["posts"][0]["body_html"]
    assert fetched["total"] == 1


def test_thread_by_forum_id_with_an_unknown_account_is_400(api, employee, questions):
    response = api(employee).post(
        "/threads",
        json={"forum": questions.id, "title": "T", "body": "B", "accounts": [999]},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["details"] == {"field": "accounts"}
    assert db.session.query(Thread).count() == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({"forum": "questions", "title": "", "body": "x"}, "title"),
        ({"forum": "questions", "title": "x"}, "body"),
        ({"forum": "questions", "title": "x", "body": "y", "tags": "a"}, "tags"),
        ({"forum": "questions", "title": "x", "body": "y", "colour": 1}, "colour"),
    ],
)
def test_invalid_thread_is_400_in_the_error_format(
    api, employee, questions, body, field
):
    response = api(employee).post("/threads", json=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and error["message"]
    assert field in str(error["details"])


def test_restricted_forum_is_404_for_outsiders(api, make, employee, secret_forum):
    forum, legal = secret_forum
    insider = make.user("lawyer", department=legal)
    thread = make_thread(forum, insider, "Clause 7 of the ACME contract")
    reply = make_reply(thread, insider)
    outsider = api(employee)
    assert outsider.get(f"/threads/{thread.id}").status_code == 404
    assert outsider.get("/threads?forum=contracts").status_code == 404
    assert (
        outsider.post(f"/threads/{thread.id}/posts", json={"body": "hi"}).status_code
        == 404
    )
    assert (
        outsider.post(f"/posts/{reply.id}/vote", json={"value": 1}).status_code == 404
    )
    assert (
        outsider.post(
            "/threads", json={"forum": "contracts", "title": "x", "body": "y"}
        ).status_code
        == 404
    )
    slugs = [f["slug"] for f in outsider.get("/forums").get_json()["items"]]
    assert "contracts" not in slugs
    listed = [t["id"] for t in outsider.get("/threads").get_json()["items"]]
    assert thread.id not in listed
    insider_client = api(insider)
    assert insider_client.get(f"/threads/{thread.id}").status_code == 200
    assert "contracts" in [
        f["slug"] for f in insider_client.get("/forums").get_json()["items"]
    ]


def test_thread_list_filters_and_pages(api, make, employee, questions):
    talk = make_forum("Talk", slug="talk")
    for n in range(5):
        make_thread(questions, employee, f"Q{n}")
    answered = make_thread(questions, employee, "Answered one")
    make_thread(talk, employee, "Chat", tags="crm")
    helper = make.user("helper")
    answer = make_reply(answered, helper)
    client = api(employee)
    client.post(f"/posts/{answer.id}/accept")
    page = client.get("/threads?forum=questions&per_page=4").get_json()
    assert page["total"] == 6 and len(page["items"]) == 4
    unaccepted = client.get("/threads?state=unaccepted").get_json()
    assert answered.id not in [t["id"] for t in unaccepted["items"]]
    assert unaccepted["total"] == 5
    tagged = client.get("/threads?tag=crm").get_json()
    assert [t["title"] for t in tagged["items"]] == ["Chat"]
    assert client.get("/threads?state=open").status_code == 400
    assert client.get("/threads?tag=nope").status_code == 404


def test_reply_vote_and_accept(api, make, employee, questions):
    thread = make_thread(questions, employee, "How do we renew ACME?")
    expert = make.user("expert")
    answer = api(expert).post(
        f"/threads/{thread.id}/posts", json={"body": "Call Li Wei."}
    )
    assert answer.status_code == 201
    post_id = answer.get_json()["id"]
    asker = api(employee)
    voted = asker.post(f"/posts/{post_id}/vote", json={"value": 1})
    assert voted.status_code == 200 and voted.get_json()["score"] == 1
    assert (
        asker.post(f"/posts/{post_id}/vote", json={"value": 1}).get_json()["score"] == 1
    )
    assert (
        asker.post(f"/posts/{post_id}/vote", json={"value": 0}).get_json()["score"] == 0
    )
    assert asker.post(f"/posts/{post_id}/vote", json={"value": 2}).status_code == 400
    assert asker.post(f"/posts/{post_id}/vote", json={"value": True}).status_code == 400
    own = api(expert).post(f"/posts/{post_id}/vote", json={"value": 1})
    assert own.status_code == 403
    assert api(expert).post(f"/posts/{post_id}/accept").status_code == 403
    accepted = asker.post(f"/posts/{post_id}/accept")
    assert accepted.status_code == 200
    assert (
        accepted.get_json()["answered"]
        and accepted.get_json()["accepted_post"] == post_id
    )
    posts = asker.get(f"/threads/{thread.id}").get_json()["posts"]
    assert [p["accepted"] for p in posts] == [False, True]
    first = posts[0]["id"]
    assert asker.post(f"/posts/{first}/accept").status_code == 400
    assert asker.delete(f"/posts/{first}/accept").status_code == 409
    withdrawn = asker.delete(f"/posts/{post_id}/accept")
    assert withdrawn.status_code == 200 and not withdrawn.get_json()["answered"]
    assert db.session.get(Thread, thread.id).accepted_post_id is None


def test_reply_to_a_locked_thread_is_409_and_nothing_is_saved(api, employee, questions):
    thread = make_thread(questions, employee)
    thread.locked = True
    db.session.commit()
    response = api(employee).post(f"/threads/{thread.id}/posts", json={"body": "late"})
    assert response.status_code == 409
    assert db.session.query(Post).filter_by(thread_id=thread.id).count() == 1


def test_only_admins_create_forums(api, make, employee, admin):
    make.department("Sales")
    denied = api(employee).post("/forums", json={"name": "Mine"})
    assert denied.status_code == 403
    created = api(admin).post(
        "/forums", json={"name": "销售问答", "kind": "questions", "department": "Sales"}
    )
    assert created.status_code == 201
    body = created.get_json()
    assert body["kind"] == "questions" and body["department"] == "Sales"
    unknown = api(admin).post("/forums", json={"name": "X", "department": "Nope"})
    assert unknown.status_code == 404


def test_ids_beyond_the_database_range_are_400(api, employee, questions):
    client = api(employee)
    huge = 2**53
    response = client.post("/threads", json={"forum": huge, "title": "t", "body": "b"})
    assert response.status_code == 400
    assert response.get_json()["error"]["details"] == {"field": "forum"}
    listed = client.post(
        "/threads",
        json={"forum": "questions", "title": "t", "body": "b", "accounts": [huge]},
    )
    assert listed.status_code == 400
