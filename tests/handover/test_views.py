"""The handover pages: permissions, forms with bad input, the risk page, panels."""

from datetime import timedelta

import pytest

from portal import clock
from portal.extensions import db
from portal.handover import service
from portal.wiki import service as wiki_service


@pytest.fixture
def case(people, make_account, evidence_for, open_case):
    acme = make_account("ACME", tier="strategic")
    evidence_for(acme, people.leaver)
    return open_case(successors=[people.successor, people.second])


def _first(case, **kw):
    return next(i for i in case.items if all(getattr(i, k) == v for k, v in kw.items()))


def test_case_page_permissions(people, case, login, admin):
    allowed = [people.hr, admin, people.manager, people.leaver, people.successor]
    for user in allowed:
        assert login(user).get(case.url).status_code == 200, user.username
    for user in (people.bystander, people.other_manager):
        assert login(user).get(case.url).status_code == 404, user.username
    assert login(people.hr).get("/handover/999").status_code == 404


def test_a_successor_sees_only_the_items_handed_to_them(people, case, login):
    mine = _first(case, prompt="needs")
    mine.successor_id = people.second.id
    db.session.commit()
    page = login(people.second).get(case.url).get_data(as_text=True)
    assert "Items handed to you" in page
    assert f"/handover/items/{mine.id}" in page
    other = _first(case, prompt="value")
    assert f'/handover/items/{other.id}"' not in page
    assert login(people.second).get(f"/handover/items/{other.id}").status_code == 404
    assert login(people.second).get(f"/handover/items/{mine.id}").status_code == 200
    assert "Knowledge footprint" not in page
    assert login(people.bystander).get(f"/handover/items/{mine.id}").status_code == 404


def test_dashboard_shows_cases_to_hr_and_managers_only(people, case, login):
    page = login(people.hr).get("/handover").get_data(as_text=True)
    assert "Li Wei" in page and "days left" in page
    assert "Li Wei" in login(people.manager).get("/handover").get_data(as_text=True)
    assert "Li Wei" not in login(people.other_manager).get("/handover").get_data(
        as_text=True
    )
    assert "Li Wei" not in login(people.bystander).get("/handover").get_data(
        as_text=True
    )


def test_open_a_case_through_the_form(people, make_account, evidence_for, login):
    acme = make_account("ACME")
    evidence_for(acme, people.successor, people.leaver)
    client = login(people.hr)
    page = client.get("/handover/new?leaver=liwei").get_data(as_text=True)
    assert "Suggested successors for Li Wei" in page and "Wang Fang" in page
    date = (clock.now().date() + timedelta(days=20)).isoformat()
    response = client.post(
        "/handover/new",
        data={"leaver": "liwei", "leaving_on": date, "successors": "wang"},
    )
    assert response.status_code == 302
    assert service.open_case_for(people.leaver) is not None


@pytest.mark.parametrize(
    "data, message",
    [
        ({"leaving_on": "2020-01-01", "successors": "wang"}, "in the past"),
        ({"leaving_on": "+20", "successors": "liwei"}, "own successor"),
        ({"leaving_on": "+20", "successors": "oldie"}, "cannot be a successor"),
        ({"leaving_on": "soon", "successors": "wang"}, "YYYY-MM-DD"),
    ],
)
def test_bad_input_when_opening_is_a_400_with_the_input_kept(
    people, login, make, data, message
):
    from portal.auth import service as auth_service

    oldie = make.user("oldie", display_name="Old Hand")
    auth_service.deactivate(oldie, departed=True)
    db.session.commit()
    if data["leaving_on"] == "+20":
        data["leaving_on"] = (clock.now().date() + timedelta(days=20)).isoformat()
    response = login(people.hr).post("/handover/new", data={"leaver": "liwei", **data})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert f'value="{data["successors"]}"' in page


def test_nobody_but_hr_or_managers_may_open_cases(people, login):
    assert login(people.bystander).get("/handover/new").status_code == 404
    assert login(people.manager).get("/handover/new").status_code == 200
    date = (clock.now().date() + timedelta(days=20)).isoformat()
    response = login(people.other_manager).post(
        "/handover/new",
        data={"leaver": "liwei", "leaving_on": date, "successors": "wang"},
    )
    assert response.status_code == 403


def test_answer_save_draft_capture_and_review(people, case, login):
    item = _first(case, prompt="contacts")
    leaver = login(people.leaver)
    r = leaver.post(
        f"/handover/items/{item.id}", data={"answer": "Mr Zhao", "action": "save"}
    )
    assert r.status_code == 302
    assert item.status == "drafted"
    r = leaver.post(f"/handover/items/{item.id}/draft", data={"answer": "Mr Zhao, CFO"})
    assert r.status_code == 200 and r.get_json()["status"] == "drafted"
    r = leaver.post(
        f"/handover/items/{item.id}",
        data={"answer": "Mr Zhao, CFO, cares about cost.", "action": "capture"},
    )
    assert r.status_code == 302
    body = wiki_service.profile_page(item.account).current_revision.body
    assert "Mr Zhao, CFO, cares about cost." in body
    # The successor may not answer; they review.
    assert (
        login(people.successor)
        .post(f"/handover/items/{item.id}", data={"answer": "x", "action": "save"})
        .status_code
        == 403
    )
    r = login(people.successor).post(
        f"/handover/items/{item.id}/review", data={"outcome": "understood"}
    )
    assert r.status_code == 302 and item.status == "understood"


def test_an_empty_answer_is_a_400_and_an_answer_to_a_closed_case_a_409(
    people, case, login
):
    item = _first(case, prompt="needs")
    r = login(people.leaver).post(
        f"/handover/items/{item.id}", data={"answer": "  ", "action": "capture"}
    )
    assert r.status_code == 400 and "Write an answer first" in r.get_data(as_text=True)
    service.close_case(case, people.hr)
    db.session.commit()
    # The leaver is departed now and cannot even log in; HR sees the refusal.
    r = login(people.leaver).post(
        f"/handover/items/{item.id}", data={"answer": "Late", "action": "capture"}
    )
    assert r.status_code in (302, 401)  # sent to the login page
    with pytest.raises(Exception) as error:
        service.capture(item, "Late", people.leaver)
    assert "closed" in str(error.value)


def test_an_answer_to_a_closed_case_keeps_the_text_and_says_why(people, case, login):
    item = _first(case, prompt="needs")
    case.status = "closed"  # closed, but the leaver has not left yet
    db.session.commit()
    r = login(people.leaver).post(
        f"/handover/items/{item.id}", data={"answer": "My words", "action": "capture"}
    )
    assert r.status_code == 409
    page = r.get_data(as_text=True)
    assert "closed" in page and "My words" in page


def test_close_through_the_page_logs_the_leaver_out(people, case, login):
    leaver = login(people.leaver)
    assert leaver.get("/handover").status_code == 200
    assert login(people.successor).post(f"{case.url}/close").status_code == 403
    assert login(people.bystander).post(f"{case.url}/close").status_code == 404
    r = login(people.manager).post(f"{case.url}/close")
    assert r.status_code == 302
    assert leaver.get("/handover").status_code == 302  # the session ended
    r = login(people.hr).post(f"{case.url}/close")
    assert r.status_code == 409


def test_risk_page(people, make_account, evidence_for, login):
    solo = make_account("Solo Ltd", tier="strategic")
    make_account("Unknown Co", tier="small")
    evidence_for(solo, people.leaver)
    assert login(people.bystander).get("/accounts/risk").status_code == 404
    page = login(people.hr).get("/accounts/risk?sort=tier").get_data(as_text=True)
    assert "Only Li Wei has answered questions" in page
    assert "<svg" in page and 'class="risk-high"' in page
    assert page.index("Solo Ltd") < page.index("Unknown Co")
    page = (
        login(people.manager).get("/accounts/risk?what_if=liwei").get_data(as_text=True)
    )
    assert "If Li Wei left" in page and "nobody would know it" in page
    r = login(people.hr).get("/accounts/risk?what_if=ghost")
    assert r.status_code == 404
    # The account pages still answer under /accounts/<id>.
    assert login(people.hr).get(solo.url).status_code == 200


def test_account_panel_and_timeline(people, case, login):
    item = _first(case, prompt="needs")
    service.capture(item, "They need SSO.", people.leaver)
    db.session.commit()
    url = item.account.url
    page = login(people.hr).get(url).get_data(as_text=True)
    assert "Knowledge at risk" in page and "High risk" in page
    assert "Open handover:" in page and "Li Wei is leaving on" in page
    assert "Handover: What they need" in page
    assert "Handover opened for Li Wei" in page
    page = login(people.bystander).get(url).get_data(as_text=True)
    assert "High risk" in page
    assert "Open handover:" not in page and "is leaving" not in page
    assert "Handover opened for Li Wei" not in page


def test_home_panel_lists_tasks(people, case, login):
    assert "Your handover:" in login(people.leaver).get("/").get_data(as_text=True)
    item = _first(case, prompt="needs")
    service.capture(item, "They need SSO.", people.leaver)
    db.session.commit()
    assert "Review: What they need" in login(people.successor).get("/").get_data(
        as_text=True
    )
    assert "Handover of Li Wei" in login(people.hr).get("/").get_data(as_text=True)
    assert "Handover" not in login(people.bystander).get("/").get_data(as_text=True)
