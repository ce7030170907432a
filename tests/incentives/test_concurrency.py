"""Races on PostgreSQL with real concurrent connections: every vote counted
once, and none twice."""

import threading

import pytest
import sqlalchemy as sa

from portal.auth.models import User
from portal.extensions import db
from portal.forums import service as forums
from portal.forums.models import Post
from portal.incentives import rules
from portal.incentives.models import PointEntry
from tests.conftest import on_postgres
from tests.forums.factories import make_reply
from tests.incentives.conftest import balance

pytestmark = pytest.mark.skipif(
    not on_postgres(), reason="needs PostgreSQL; runs in CI's PostgreSQL pass"
)

VOTERS = 50


@pytest.fixture
def app_config():
    # One connection per thread, all open at the barrier.
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": VOTERS + 5, "max_overflow": 5}}


def _race(app, post_id: int, voter_ids: list[int]) -> list[BaseException]:
    """Vote +1 on ``post_id`` by each voter, each in its own thread and
    connection, all released at the same moment."""
    barrier = threading.Barrier(len(voter_ids))
    errors: list[BaseException] = []

    def cast(voter_id: int) -> None:
        try:
            with app.app_context():
                try:
                    voter = db.session.get(User, voter_id)
                    post = db.session.get(Post, post_id)
                    post.thread.forum  # noqa: B018 - load before the race
                    barrier.wait(timeout=60)
                    forums.vote(post, voter, 1)
                    db.session.commit()
                finally:
                    db.session.remove()
        except BaseException as e:  # collected and re-raised in the test
            errors.append(e)

    threads = [threading.Thread(target=cast, args=(v,)) for v in voter_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def _awards(post_id: int) -> list[PointEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(PointEntry).where(
                PointEntry.source_id == post_id, PointEntry.rule == "answer_upvoted"
            )
        )
    )


def test_fifty_people_voting_at_once_make_fifty_awards(app, make, question, answerer):
    rules.update_settings(daily_vote_cap=10_000)
    answer = make_reply(question, answerer, "The answer everybody likes.")
    voters = [make.user(f"voter{i:02d}").id for i in range(VOTERS)]
    errors = _race(app, answer.id, voters)
    assert errors == []
    awards = _awards(answer.id)
    assert len(awards) == VOTERS
    assert {a.actor_id for a in awards} == set(voters)
    assert balance(answerer) == 2 + 10 * VOTERS
    assert db.session.get(Post, answer.id).score == VOTERS


def test_fifty_votes_at_once_respect_the_daily_cap(app, make, question, answerer):
    answer = make_reply(question, answerer, "The answer everybody likes.")
    voters = [make.user(f"voter{i:02d}").id for i in range(VOTERS)]
    assert _race(app, answer.id, voters) == []
    awards = _awards(answer.id)
    assert len(awards) == VOTERS, "every vote is on record, capped or not"
    assert sum(a.points for a in awards) == 200
    assert balance(answerer) == 2 + 200


def test_the_same_vote_twice_at_once_counts_once(app, make, question, answerer):
    answer = make_reply(question, answerer, "Worth one vote.")
    voter = make.user("eager").id
    for _round in range(5):
        errors = _race(app, answer.id, [voter, voter])
        assert errors == []
    awards = _awards(answer.id)
    assert len(awards) == 1
    assert balance(answerer) == 2 + 10
