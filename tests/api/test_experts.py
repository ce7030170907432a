"""API v1 experts: ranking with evidence, account filter, asking, bad input."""

from portal.extensions import db
from portal.forums import service as forums
from tests.forums.factories import make_forum, make_reply, make_thread


def _knowledge(make, employee, account=None):
    forum = make_forum("Questions", kind="questions")
    liwei = make.user("liwei", display_name="Li Wei")
    for n in range(2):
        thread = make_thread(
            forum,
            employee,
            f"ACME 续约折扣 {n}",
            "renewal discount?",
            tags="renewal",
            accounts=[account] if account else None,
        )
        answer = make_reply(thread, liwei, "Offer a three-year renewal discount.")
        forums.accept_answer(thread, answer, employee)
        db.session.commit()
    return forum, liwei


def test_experts_on_a_subject_with_why(api, make, employee):
    _knowledge(make, employee)
    body = api(employee).get("/experts?q=renewal discount").get_json()
    top = body["items"][0]
    assert top["username"] == "liwei"
    assert top["items"] and all(i["url"].startswith("/") for i in top["items"])
    assert sum(top["evidence"].values()) >= 2


def test_experts_on_an_account(api, make, employee):
    from portal.accounts import service as accounts_service

    account = accounts_service.create_account("ACME", "CRM-1")
    db.session.commit()
    _knowledge(make, employee, account)
    body = api(employee).get(f"/accounts/{account.id}/experts").get_json()
    assert [e["username"] for e in body["items"]][:1] == ["liwei"]
    assert api(employee).get("/accounts/999/experts").status_code == 404


def test_bad_expert_queries(api, employee):
    client = api(employee)
    assert client.get("/experts").status_code == 400
    assert client.get("/experts?tag=nope").status_code == 404
    assert client.get("/experts?q=x&limit=500").status_code == 400


def test_ask_routes_a_question_once(api, make, employee):
    forum, _liwei = _knowledge(make, employee)
    question = make_thread(
        forum, employee, "How big a renewal discount?", tags="renewal"
    )
    client = api(employee)
    asked = client.post("/experts/ask", json={"thread": question.id})
    assert asked.status_code == 201, asked.get_json()
    assert "liwei" in asked.get_json()["routed_to"]
    assert client.post("/experts/ask", json={"thread": question.id}).status_code == 409
    assert client.post("/experts/ask", json={"thread": 99999}).status_code == 404
    assert client.post("/experts/ask", json={}).status_code == 400
