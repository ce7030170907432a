"""What people do all day, in a real browser: ask, answer live, accept, see
points and the account page, find the thread again by searching in Chinese and
in English; edit a page at the same time as a colleague; HR reads the
contribution report that an employee may not."""

import re

import pytest
from playwright.sync_api import expect

from portal.accounts import service as accounts_service
from portal.extensions import db
from portal.search import indexing
from portal.wiki import service as wiki
from tests.forums.factories import make_forum

pytestmark = pytest.mark.e2e


@pytest.fixture
def people(make):
    return make.user("alice", display_name="Alice 王"), make.user(
        "bob", display_name="Bob 李"
    )


def test_question_answered_live_accepted_and_rewarded(person, people):
    alice, bob = people
    # The test's own index (tests/conftest.py), written right after each commit.
    indexing.rebuild()
    account = accounts_service.create_account("明德医疗", "CRM-88001")
    db.session.commit()
    account_url = account.url
    make_forum("Questions", kind="questions", slug="questions")

    asker = person(alice)
    asker.goto("/forums/questions/new")
    asker.fill("#title", "明德医疗的续约折扣怎么谈？")
    asker.fill("#body", "去年给了 **8%**，今年采购换人了。")
    asker.fill("#accounts", "CRM-88001")
    asker.get_by_role("button", name="Post question").click()
    expect(asker.locator("h1")).to_contain_text("明德医疗的续约折扣怎么谈？")
    thread_url = asker.url

    answerer = person(bob)
    answerer.goto("/forums/questions")
    answerer.get_by_role("link", name="明德医疗的续约折扣怎么谈？").click()
    answerer.fill(
        "#body",
        "先找新的采购负责人，再谈三年期。\n\n"
        "Offer a three-year renewal with quarterly business reviews.",
    )
    answerer.get_by_role("button", name="Post answer").click()
    expect(answerer.locator(".forums-post").nth(1)).to_contain_text("三年期")

    # The asker never reloaded: the answer arrives over Socket.IO.
    assert asker.url == thread_url
    answer = asker.locator(".forums-post").filter(has_text="三年期")
    expect(answer).to_be_visible()
    asker.reload()
    asker.get_by_role("button", name="Accept this answer").click()
    expect(asker.locator(".forums-post-accepted")).to_contain_text("三年期")

    answerer.goto("/incentives/me")
    expect(answerer.locator("main")).to_contain_text(re.compile(r"accepted", re.I))

    asker.goto(account_url)
    expect(asker.locator("main")).to_contain_text("明德医疗的续约折扣怎么谈？")

    # Both find the thread again from the search box in the navigation: by
    # words of the Chinese question, and by words of the English answer.
    for page, words in ((asker, "续约折扣"), (answerer, "quarterly reviews")):
        page.fill("#nav-q", words)
        page.press("#nav-q", "Enter")
        page.wait_for_url(re.compile(r"/search\?"))
        hit = page.locator(".search-hit").filter(has_text="明德医疗的续约折扣怎么谈")
        expect(hit).to_have_count(1)
        hit.locator(".search-hit-head a").click()
        expect(page.locator("h1")).to_contain_text("明德医疗的续约折扣怎么谈？")
        assert page.url == thread_url


def test_concurrent_wiki_edits_show_the_conflict_and_lose_nothing(person, people):
    alice, bob = people
    wiki.create_page("Renewal playbook", "Step one.\n\nStep two.\n", alice)
    db.session.commit()
    first, second = person(alice), person(bob)
    first.goto("/wiki/renewal-playbook/edit")
    second.goto("/wiki/renewal-playbook/edit")

    first.fill("#body", "Step one: call the buyer.\n\nStep two.\n")
    first.get_by_role("button", name="Save page").click()
    expect(first.locator("main")).to_contain_text("call the buyer")

    second.fill("#body", "Step one.\n\nStep two: send the quote 续约报价.\n")
    second.get_by_role("button", name="Save page").click()
    # Bob's save is not lost and Alice's is not overwritten: the conflict page
    # shows both, with the merge ready to review.
    main = second.locator("main")
    expect(main).to_contain_text("While you were editing, Alice 王 saved revision 2")
    body = second.locator("#body").input_value()
    assert "续约报价" in body and "call the buyer" in body
    second.get_by_role("button", name="Save page").click()
    expect(second.locator("main")).to_contain_text("续约报价")
    expect(second.locator("main")).to_contain_text("call the buyer")


def test_contribution_report_for_hr_only(person, make):
    hr = make.user("hr1", role="hr")
    employee = make.user("emma")
    page = person(hr)
    response = page.goto("/incentives/reports")
    assert response.status == 200
    expect(page.locator("h1")).to_be_visible()
    other = person(employee)
    response = other.goto("/incentives/reports")
    assert response.status == 403
