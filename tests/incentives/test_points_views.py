"""My points: every row explained in words and linked to its source."""

import pytest

from portal.extensions import db
from portal.incentives import rules
from portal.incentives.ledger import award
from tests.forums.factories import make_forum, make_reply, make_thread
from tests.incentives.conftest import accept, unaccept, vote


def test_my_points_explains_each_row_and_links_its_source(
    login, question, answer, asker, answerer, voter
):
    vote(answer, voter, 1)
    accept(question, answer, asker)
    unaccept(question, asker)
    page = login(answerer).get("/incentives/me").get_data(as_text=True)
    link = f'<a href="/forums/posts/{answer.id}">How do we renew ACME?</a>'
    assert f"You answered {link}" in page
    assert f"Your answer in {link} was upvoted" in page
    assert f"Your answer in {link} was accepted" in page
    assert f"Reversed, the answer is no longer accepted: Your answer in {link}" in page
    assert "reversed later" in page
    assert "Balance" in page and "+12" in page


def test_the_asker_sees_their_side(login, question, answer, asker):
    accept(question, answer, asker)
    page = login(asker).get("/incentives/me").get_data(as_text=True)
    assert "You accepted an answer to" in page


def test_a_capped_row_says_so(login, make, question, answerer):
    rules.update_settings(daily_vote_cap=5)
    db.session.commit()
    answer = make_reply(question, answerer, "Here.")
    vote(answer, make.user("a1"), 1)
    page = login(answerer).get("/incentives/me").get_data(as_text=True)
    assert "(daily cap on points from votes reached)" in page


def test_titles_are_escaped(login, questions, asker, answerer):
    thread = make_thread(questions, asker, "<script>alert(1)</script> renewal", "?")
    make_reply(thread, answerer, "Answer.")
    page = login(answerer).get("/incentives/me").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; renewal" in page


def test_a_restricted_thread_is_named_without_its_title(login, make, hr):
    sales = make.department("Sales")
    seller = make.user("sol", department=sales)
    colleague = make.user("col", department=sales)
    forum = make_forum("Sales only", kind="questions", department=sales)
    thread = make_thread(forum, colleague, "Secret pricing for ACME", "?")
    make_reply(thread, seller, "Discount 40%.")
    seen_by_hr = login(hr).get("/u/sol/points").get_data(as_text=True)
    assert "Secret pricing" not in seen_by_hr
    assert "You answered a restricted thread" in seen_by_hr
    seen_by_self = login(seller).get("/incentives/me").get_data(as_text=True)
    assert "Secret pricing for ACME" in seen_by_self


@pytest.mark.parametrize(
    ("who", "status"), [("self", 200), ("hr", 200), ("admin", 200), ("other", 403)]
)
def test_only_the_person_hr_and_admins_see_a_ledger(
    login, make, answer, answerer, who, status
):
    viewer = {
        "self": lambda: answerer,
        "hr": lambda: make.user("hh", role="hr"),
        "admin": lambda: make.user("aa", role="admin"),
        "other": lambda: make.user("oo"),
    }[who]()
    assert login(viewer).get("/u/ben/points").status_code == status


def test_an_unknown_person_is_a_404(login, hr):
    response = login(hr).get("/u/nobody/points")
    assert response.status_code == 404
    assert "no user called nobody" in response.get_data(as_text=True)


def test_the_ledger_is_paged(login, employee):
    for i in range(55):
        award(
            employee.id,
            "endorsement_received",
            source_type="skill",
            source_id=i,
            key=f"e:{i}",
        )
    db.session.commit()
    client = login(employee)
    first = client.get("/incentives/me").get_data(as_text=True)
    assert "Page 1 of 2" in first and "+275" in first
    second = client.get("/incentives/me?page=2").get_data(as_text=True)
    assert second.count("Endorsement received") == 5
