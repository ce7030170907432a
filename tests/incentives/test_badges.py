"""Badges: earned by what knowledge did, shown on profiles, kept once earned."""

from portal.accounts.service import create_account
from portal.extensions import db
from portal.incentives import badges
from portal.incentives.service import award
from portal.wiki import service as wiki
from tests.forums.factories import make_reply, make_thread
from tests.incentives.conftest import accept, unaccept

LONG = "A customer-facing fact worth keeping. " * 8


def test_a_first_accepted_answer_earns_the_helper_badge(
    question, answer, asker, answerer
):
    assert badges.earned(answerer.id) == set()
    accept(question, answer, asker)
    assert badges.earned(answerer.id) == {"helper"}


def test_badges_are_kept_when_the_answer_is_unaccepted(
    question, answer, asker, answerer
):
    accept(question, answer, asker)
    unaccept(question, asker)
    assert "helper" in badges.earned(answerer.id)


def test_ten_accepted_answers_earn_advisor(questions, make, answerer):
    for i in range(10):
        asker = make.user(f"asker{i}")
        thread = make_thread(questions, asker, f"Question {i}", "How?")
        accept(thread, make_reply(thread, answerer, "Like this."), asker)
    assert {"helper", "advisor"} <= badges.earned(answerer.id)
    assert "oracle" not in badges.earned(answerer.id)


def test_accepted_answers_about_three_accounts_earn_account_expert(
    questions, make, answerer
):
    names = ["华信银行", "ACME Manufacturing", "Northwind Retail"]
    accounts = [create_account(n, f"CRM-{i}") for i, n in enumerate(names)]
    db.session.commit()
    for i, account in enumerate(accounts):
        asker = make.user(f"asker{i}")
        thread = make_thread(
            questions, asker, f"About {account.name}", "How?", accounts=[account]
        )
        accept(thread, make_reply(thread, answerer, "Like this."), asker)
        expected = i == 2
        assert ("account_expert" in badges.earned(answerer.id)) is expected


def test_answering_your_own_question_earns_no_badge(question, asker):
    accept(question, make_reply(question, asker, "Found it."), asker)
    assert badges.earned(asker.id) == set()


def test_wiki_gardener_for_substantial_revisions_on_ten_pages(make):
    gardener = make.user("gardener")
    for i in range(10):
        wiki.create_page(f"Page {i}", LONG, gardener)
        db.session.commit()
        assert "scribe" in badges.earned(gardener.id)
    assert "wiki_gardener" in badges.earned(gardener.id)


def test_knowledge_keeper_counts_completed_handover_items(employee):
    """The Handover issue awards its items through the service; the badge follows."""
    for i in range(5):
        award(
            employee.id,
            "handover_item_completed",
            source_type="handover",
            source_id=i,
            key=f"item:{i}",
        )
        badges.check(employee.id)
    db.session.commit()
    assert "knowledge_keeper" in badges.earned(employee.id)


def test_the_profile_shows_points_rank_and_badges(
    login, question, answer, asker, answerer, employee
):
    accept(question, answer, asker)
    page = login(employee).get(f"/u/{answerer.username}").get_data(as_text=True)
    assert "Points and badges" in page
    assert "17" in page and "Helper" in page
    assert "number 1 this month" in page
    assert f"/u/{answerer.username}/points" not in page, "only they and HR see it"
    own = login(answerer).get(f"/u/{answerer.username}").get_data(as_text=True)
    assert "/incentives/me" in own


def test_the_badge_list_says_how_to_earn_each(login, employee):
    page = login(employee).get("/incentives/badges").get_data(as_text=True)
    for badge in badges.BADGES.values():
        assert str(badge.description) in page
