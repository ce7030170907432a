"""The home page: each person sees what matters to them, from every package,
and a newcomer sees where to start."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal import clock
from portal.accounts import service as accounts_service
from portal.extensions import db
from portal.incentives import leaderboard
from portal.incentives.models import PointEntry
from portal.wiki import service as wiki_service
from tests.forums.factories import make_forum, make_reply, make_thread


def headings(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h2>(.*?)</h2>", html)
    ]


@pytest.fixture
def sales(make):
    return make.department("Sales")


@pytest.fixture
def hr(make):
    return make.department("Human Resources")


@pytest.fixture
def world(make, sales, hr):
    """Forums, a page, accounts and colleagues, before anyone new arrives."""
    veteran = make.user("vera", display_name="Vera Veteran", department=sales)
    other = make.user("otto", display_name="Otto Other", department=hr)
    qa = make_forum("Questions", kind="questions", slug="qa")
    hr_qa = make_forum("HR questions", kind="questions", slug="hr-qa", department=hr)
    open_forum = make_forum("Stories", slug="stories")
    guide = wiki_service.create_page("Onboarding guide", "Read this first.", veteran)
    wiki_service.create_page("Pricing", "See [[Onboarding guide]].", veteran)
    wiki_service.create_page("Contacts", "Also [[Onboarding guide]].", other)
    acme = accounts_service.create_account(
        "ACME Manufacturing", "CRM-1", account_manager=veteran, tier="strategic"
    )
    globex = accounts_service.create_account(
        "Globex", "CRM-2", account_manager=other, tier="key"
    )
    db.session.commit()
    return {
        "veteran": veteran,
        "other": other,
        "qa": qa,
        "hr_qa": hr_qa,
        "open": open_forum,
        "guide": guide,
        "acme": acme,
        "globex": globex,
    }


def test_a_new_employee_sees_where_to_start(world, make, sales, login):
    newbie = make.user("nina", display_name="Nina New", department=sales)
    html = login(newbie).get("/").text
    titles = headings(html)
    assert "New here? Ask what you need to know" in titles
    assert 'href="/forums/qa/new"' in html  # asking goes to the Q&A forum
    assert "Start with these wiki pages" in titles
    # The page others link to comes first.
    popular = html.split("Start with these wiki pages")[1]
    assert popular.index("Onboarding guide") < popular.index("Pricing")
    assert "Accounts of Sales" in titles
    assert "ACME Manufacturing" in html and "Globex" not in html
    assert "No points yet this month" in html
    assert "You are up to date" in html
    assert "Your conversations" not in titles
    assert "Pages for you to review" not in titles
    assert "Mail is not getting through" not in html


def test_a_new_employee_in_chinese(world, make, sales, login):
    newbie = make.user("xiao", department=sales, locale="zh")
    html = login(newbie).get("/").text
    assert "刚来？有问题尽管问" in html
    assert "Sales的客户" in html


def test_a_colleague_with_history_sees_their_own_work(world, login, monkeypatch):
    vera, otto = world["veteran"], world["other"]
    # Vera's page was written long ago and never reviewed since.
    long_ago = clock.now() - timedelta(days=400)
    monkeypatch.setattr(clock, "now", lambda: long_ago)
    old = wiki_service.create_page("ACME escalation path", "Call the CFO.", vera)
    db.session.commit()
    monkeypatch.undo()

    mine = make_thread(world["open"], vera, "Renewal at ACME", accounts=[world["acme"]])
    make_reply(mine, otto, "I met their CFO.")
    open_question = make_thread(world["qa"], otto, "How do refunds work?")

    html = login(vera).get("/").text
    titles = headings(html)
    assert "New here? Ask what you need to know" not in titles
    assert "Start with these wiki pages" not in titles

    conversations = html.split("Your conversations")[1].split("</section>")[0]
    assert "Renewal at ACME" in conversations and "Otto Other" in conversations

    assert "Questions waiting for an answer" in titles
    assert open_question.title in html
    assert "/forums/threads?state=unanswered" in html

    review = html.split("Pages for you to review")[1].split("</section>")[0]
    assert old.title in review
    assert "Onboarding guide" not in review  # written just now: not due

    accounts = html.split("Your accounts")[1].split("</section>")[0]
    assert "ACME Manufacturing" in accounts
    assert "Renewal at ACME" in accounts  # its latest change

    new_for_you = html.split("New for you")[1].split("</section>")[0]
    assert "Otto Other replied to “Renewal at ACME”" in new_for_you

    month = leaderboard.period("month")
    points = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(PointEntry.points), 0)).where(
            PointEntry.user_id == vera.id, PointEntry.created_at >= month.start
        )
    )
    panel = html.split("Your points this month")[1].split("</section>")[0]
    if points:
        assert f"{points}</strong>" in panel
    else:
        assert "No points yet this month" in panel


def test_restricted_questions_show_only_to_their_department(world, make, hr, login):
    otto = world["other"]
    secret = make_thread(world["hr_qa"], otto, "Salary bands for 2027?")
    public = make_thread(world["qa"], otto, "Which invoice template?")
    hr_colleague = make.user("hera", department=hr)
    # Someone in HR sees their department's question first.
    html = login(hr_colleague).get("/").text
    waiting = html.split("Questions waiting for an answer")[1].split("</section>")[0]
    assert waiting.index(secret.title) < waiting.index(public.title)
    # Sales never sees it, anywhere on the page.
    html = login(world["veteran"]).get("/").text
    assert secret.title not in html
    assert public.title in html
    # A moderator moderates every forum, so sees both.
    html = login(make.user("mona", role="moderator")).get("/").text
    assert secret.title in html


def test_the_home_page_by_role(world, login, admin, make):
    employee_html = login(world["veteran"]).get("/").text
    admin_html = login(admin).get("/").text
    for html in (employee_html, admin_html):
        assert "New for you" in html
        assert "Your points this month" in html
    # Without a department, a newcomer admin sees the most important accounts.
    assert "Our most important accounts" in admin_html
    strategic = admin_html.split("Our most important accounts")[1]
    assert strategic.index("ACME Manufacturing") < strategic.index("Globex")
