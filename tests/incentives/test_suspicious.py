"""Suspicious voting: found for moderators, its points reversed in one action."""

from datetime import UTC, datetime, timedelta

import pytest

from portal import clock
from portal.extensions import db
from portal.incentives import suspicious
from tests.forums.factories import make_reply, make_thread
from tests.incentives.conftest import balance, entries, vote

NOW = datetime(2026, 6, 10, 15, tzinfo=UTC)


@pytest.fixture(autouse=True)
def now(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def answers(questions, make):
    """Six answers by Ben, in six threads."""
    ben = make.user("ben")
    posts = []
    for i in range(6):
        asker = make.user(f"asker{i}")
        thread = make_thread(questions, asker, f"Question {i}", "?")
        posts.append(make_reply(thread, ben, f"Answer {i}"))
    return ben, posts


def test_one_person_upvoting_another_many_times_a_day(answers, make):
    ben, posts = answers
    fan = make.user("fan")
    for post in posts[:5]:
        vote(post, fan, 1)
    casual = make.user("casual")
    for post in posts[:4]:
        vote(post, casual, 1)
    (pair,) = suspicious.pairs()
    assert (pair.voter, pair.author, pair.votes) == (fan, ben, 5)
    assert (pair.busiest_day, pair.busiest_count) == (NOW.date(), 5)
    assert pair.points == 50 and not pair.mutual


def test_votes_spread_over_days_are_not_daily_suspicious(answers, make, monkeypatch):
    ben, posts = answers
    fan = make.user("fan")
    for day, post in enumerate(posts[:5]):
        moment = NOW - timedelta(days=day)
        monkeypatch.setattr(clock, "now", lambda m=moment: m)
        vote(post, fan, 1)
    monkeypatch.setattr(clock, "now", lambda: NOW)
    assert suspicious.pairs() == []


def test_pairs_voting_for_each_other(questions, make):
    a, b = make.user("amy"), make.user("bob")
    for i in range(3):
        thread_a = make_thread(questions, make.user(f"qa{i}"), f"QA {i}", "?")
        thread_b = make_thread(questions, make.user(f"qb{i}"), f"QB {i}", "?")
        vote(make_reply(thread_a, a, "mine"), b, 1)
        vote(make_reply(thread_b, b, "mine"), a, 1)
    found = {(p.voter.username, p.author.username): p for p in suspicious.pairs()}
    assert set(found) == {("amy", "bob"), ("bob", "amy")}
    assert all(p.mutual and p.back == 3 for p in found.values())


def test_a_moderator_reverses_the_votes_points_in_one_action(
    answers, make, login, moderator
):
    ben, posts = answers
    fan = make.user("fan")
    for post in posts[:5]:
        vote(post, fan, 1)
    page = login(moderator).get("/incentives/suspicious").get_data(as_text=True)
    assert (
        "Reverse these votes&#39; points" in page
        or "Reverse these votes' points" in page
    )
    response = login(moderator).post(
        "/incentives/suspicious/reverse", data={"voter": fan.id, "author": ben.id}
    )
    assert response.status_code == 302
    assert balance(ben) == 6 * 2
    reversals = [e for e in entries(ben) if e.reversal]
    assert len(reversals) == 5
    assert {(e.reason, e.actor_id) for e in reversals} == {("moderation", moderator.id)}
    assert all("Mona Moderator" in e.note for e in reversals)
    # The votes stay; re-voting earns nothing back.
    vote(posts[0], fan, 0)
    vote(posts[0], fan, 1)
    assert balance(ben) == 6 * 2
    (pair,) = suspicious.pairs()
    assert pair.points == 0


def test_reversing_a_mutual_pair_both_ways(questions, make, login, moderator):
    a, b = make.user("amy"), make.user("bob")
    for i in range(3):
        thread_a = make_thread(questions, make.user(f"qa{i}"), f"QA {i}", "?")
        thread_b = make_thread(questions, make.user(f"qb{i}"), f"QB {i}", "?")
        vote(make_reply(thread_a, a, "mine"), b, 1)
        vote(make_reply(thread_b, b, "mine"), a, 1)
    login(moderator).post(
        "/incentives/suspicious/reverse",
        data={"voter": a.id, "author": b.id, "both": "1"},
    )
    assert balance(a) == balance(b) == 3 * 2


@pytest.mark.parametrize("role", ["employee", "hr"])
def test_only_moderators_review_votes(make, login, role):
    client = login(make.user(role=role))
    assert client.get("/incentives/suspicious").status_code == 403
    assert client.post("/incentives/suspicious/reverse", data={}).status_code == 403


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"voter": "x", "author": "1"}, 400, "Choose a pair of people."),
        ({"voter": "1", "author": "1"}, 400, "Choose two different people."),
        ({"voter": "998", "author": "999"}, 404, "There is no such person."),
        ({"voter": "1", "author": "2", "days": "-3"}, 400, "from 1 to 366"),
    ],
)
def test_bad_reverse_requests(login, moderator, data, status, message):
    response = login(moderator).post("/incentives/suspicious/reverse", data=data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    db.session.rollback()
