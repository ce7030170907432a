"""The experts pages, panels on other packages' pages, and bad input."""

import re

import pytest
from flask import render_template

from portal.accounts import service as accounts
from portal.experts import service
from portal.extensions import db
from portal.forums import service as forums


@pytest.fixture
def answered(people, ask_thread, answer, at):
    thread = ask_thread(people["asker"], "Disputed invoice from ACME", tags="billing")
    answer(thread, people["expert"], "Issue a credit note.", accept_by=people["asker"])
    answer(thread, people["chatty"], "Hmm, not sure.")
    return thread


def test_find_page_and_results_say_why(login, people, answered):
    client = login(people["other"])
    page = client.get("/experts")
    assert page.status_code == 200 and "Find an expert" in page.text
    page = client.get("/experts?q=invoice")
    assert page.status_code == 200
    text = page.text
    assert text.index(">Expert<") < text.index(">Chatty<")
    assert "1 accepted answer" in text and "Disputed invoice from ACME" in text
    assert answered.url in text


def test_find_by_tag_and_account(login, people, answered):
    client = login(people["other"])
    assert ">Expert<" in client.get("/experts?tag=billing").text
    acme = accounts.create_account("ACME", "CRM-1", actor=None)
    db.session.commit()
    page = client.get(f"/experts?q=invoice&account={acme.id}")
    assert page.status_code == 200 and ">Expert<" not in page.text
    assert "Nobody has shown knowledge" in page.text
    assert client.get("/experts?q=invoice&account=CRM-1").status_code == 200


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/experts?q=", 400, "Type what you need to know"),
        ("/experts?q=+++", 400, "Type what you need to know"),
        ("/experts?q=the", 400, "has no words to look for"),
        ("/experts?q=x&account=CRM-NOPE", 404, "There is no customer account"),
        ("/experts?q=x&account=424242", 404, "There is no customer account"),
        ("/experts?tag=no-such-tag", 404, "There is no tag"),
    ],
)
def test_bad_searches_get_a_message_and_a_4xx(login, people, url, status, message):
    page = login(people["other"]).get(url)
    assert page.status_code == status
    assert message in page.text


def test_profile_panel_declared_apart_from_inferred(login, people, answered):
    expert = people["expert"]
    service.add_skill(expert, expert, "Credit notes", 3)
    service.update_profile(expert, expert, ask_me_about="Invoices and credit notes")
    db.session.commit()
    page = login(people["other"]).get("/u/expert").text
    assert "Declared" in page and "What their work shows" in page
    assert "Invoices and credit notes" in page and "Credit notes" in page
    assert "<svg" in page and 'data-label="billing"' in page
    assert 'data-documents="1"' in page
    assert "Endorse" in page and "Not me" not in page  # not the viewer's profile
    own = login(expert).get("/u/expert").text
    assert "Not me" in own and ">Endorse<" not in own


def test_endorse_through_the_page(login, people):
    skill = service.add_skill(people["expert"], people["expert"], "Customs", 3)
    db.session.commit()
    url = f"/experts/skills/{skill.id}/endorse"
    client = login(people["other"])
    assert client.post(url).status_code == 303
    again = client.post(url)
    assert again.status_code == 409 and "already" in again.text
    own = login(people["expert"]).post(url)
    assert own.status_code == 403 and "your own skill" in own.text
    assert client.post(url, data={"action": "withdraw"}).status_code == 303
    assert client.post("/experts/skills/9999/endorse").status_code == 404


def test_not_me_hides_a_topic(login, people, answered):
    tag = answered.tags[0]
    url = f"/experts/people/expert/topics/{tag.id}"
    assert login(people["other"]).post(url).status_code == 403
    assert login(people["expert"]).post(url, data={"action": "hide"}).status_code == 303
    page = login(people["other"]).get("/experts?tag=billing").text
    assert ">Expert<" not in page
    assert login(people["expert"]).post(url, data={"action": "show"}).status_code == 303
    assert ">Expert<" in login(people["other"]).get("/experts?tag=billing").text


def test_edit_expertise(login, people):
    client = login(people["expert"])
    assert client.get("/experts/people/expert/edit").status_code == 200
    assert login(people["other"]).get("/experts/people/expert/edit").status_code == 403
    added = client.post(
        "/experts/people/expert/edit", data={"skill-tag": "报关", "skill-level": "3"}
    )
    assert added.status_code == 303
    assert [s.tag.name for s in service.skills_of(people["expert"])] == ["报关"]
    bad = client.post(
        "/experts/people/expert/edit", data={"skill-tag": "", "skill-level": "3"}
    )
    assert bad.status_code == 400 and "Name the skill" in bad.text
    saved = client.post(
        "/experts/people/expert/edit",
        data={
            "profile-ask_me_about": "Customs forms",
            "profile-availability": "busy",
            "profile-away_until": "",
            "profile-accounts": "",
        },
    )
    assert saved.status_code == 303
    assert service.availability(people["expert"])[0] == "busy"
    kept = client.post(
        "/experts/people/expert/edit",
        data={
            "profile-ask_me_about": "Customs and excise",
            "profile-availability": "away",
            "profile-away_until": "soon",
        },
    )
    assert kept.status_code == 400
    assert "YYYY-MM-DD" in kept.text and "Customs and excise" in kept.text


def test_ask_an_expert_from_a_question_thread(login, people, answered, ask_thread):
    thread = ask_thread(people["asker"], "Invoice sent to the wrong address")
    client = login(people["asker"])
    page = client.get(thread.url).text
    assert "Ask an expert" in page
    token_free = client.post(f"/experts/ask/{thread.id}")
    assert token_free.status_code == 303
    page = client.get(thread.url).text
    assert "Experts asked" in page and ">Expert<" in page
    assert client.post(f"/experts/ask/{thread.id}").status_code == 409
    assert client.get(f"/experts/ask/{thread.id}").status_code == 405
    assert client.post("/experts/ask/987654").status_code == 404
    home = login(people["expert"]).get("/").text
    assert "Routed to you" in home and "Invoice sent to the wrong address" in home


def test_ask_about_a_deleted_thread_is_refused(login, people, ask_thread, moderator):
    thread = ask_thread(people["asker"], "Invoice question to delete")
    forums.delete_post(forums.thread_posts(thread).items[0], people["asker"])
    db.session.commit()
    assert login(people["asker"]).post(f"/experts/ask/{thread.id}").status_code == 404
    gone = login(moderator).post(f"/experts/ask/{thread.id}")
    assert gone.status_code == 409 and "deleted" in gone.text


@pytest.fixture
def moderator(make):
    return make.user("mody", role="moderator")


def test_ask_requires_csrf(app, login, people, ask_thread):
    thread = ask_thread(people["asker"], "Invoice CSRF")
    app.config["WTF_CSRF_ENABLED"] = True
    assert login(people["asker"]).post(f"/experts/ask/{thread.id}").status_code == 400


def test_account_and_tag_pages_show_experts(login, people, ask_thread, answer):
    acme = accounts.create_account("ACME", "CRM-1", actor=None)
    db.session.commit()
    thread = ask_thread(
        people["asker"], "ACME rollout", tags="rollout", accounts=[acme]
    )
    answer(thread, people["expert"], "Phase it.", accept_by=people["asker"])
    client = login(people["other"])
    page = client.get(acme.url).text
    assert "Experts on this account" in page and ">Expert<" in page
    page = client.get("/tags/rollout").text
    assert "Experts on this tag" in page and ">Expert<" in page


def test_new_thread_title_prefill(login, people, questions):
    page = login(people["asker"]).get("/forums/new?title=" + "x" * 300)
    assert re.search(r'name="title"[^>]*value="x{200}"', page.text)


def test_search_prompt_partial(app, login, people, answered):
    class Results:
        total = 0

    with app.test_request_context("/search?q=invoice"):
        from flask_login import login_user

        login_user(people["other"])
        html = render_template(
            "experts/_search_prompt.html", q="invoice", results=Results()
        )
    assert "Ask an expert" in html and "/forums/new?title=invoice" in html
    assert ">Expert<" in html
    Results.total = 25  # plenty of results: one line, no ranking
    with app.test_request_context("/search?q=invoice"):
        login_user(people["other"])
        html = render_template(
            "experts/_search_prompt.html", q="invoice", results=Results()
        )
    assert "/forums/new?title=invoice" in html and ">Expert<" not in html
