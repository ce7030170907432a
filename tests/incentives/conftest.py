"""Fixtures for the incentives tests: people, a Q&A forum, ledger helpers."""

import pytest
import sqlalchemy as sa

from portal import clock
from portal.extensions import db
from portal.forums import service as forums
from portal.incentives import ledger
from portal.incentives.models import PointEntry
from tests.forums.factories import make_forum, make_reply, make_thread


@pytest.fixture
def asker(make):
    return make.user("asa", display_name="Asa Asker")


@pytest.fixture
def answerer(make):
    return make.user("ben", display_name="Ben Answerer")


@pytest.fixture
def voter(make):
    return make.user("vic", display_name="Vic Voter")


@pytest.fixture
def moderator(make):
    return make.user("mona", role="moderator", display_name="Mona Moderator")


@pytest.fixture
def hr(make):
    return make.user("hanna", role="hr", display_name="Hanna HR")


@pytest.fixture
def questions(app):
    return make_forum("Customer Q&A", kind="questions", slug="qa")


@pytest.fixture
def discussion(app):
    return make_forum("Stories", slug="stories")


@pytest.fixture
def question(questions, asker):
    return make_thread(
        questions, asker, "How do we renew ACME?", "Their contract ends."
    )


@pytest.fixture
def answer(question, answerer):
    return make_reply(question, answerer, "Call the buyer three months ahead.")


def balance(user) -> int:
    return ledger.balance(user.id)


def entries(user=None, rule=None) -> list[PointEntry]:
    stmt = sa.select(PointEntry).order_by(PointEntry.id)
    if user is not None:
        stmt = stmt.where(PointEntry.user_id == user.id)
    if rule is not None:
        stmt = stmt.where(PointEntry.rule == rule)
    return list(db.session.scalars(stmt))


def vote(post, user, value):
    forums.vote(post, user, value)
    db.session.commit()


def accept(thread, post, actor):
    forums.accept_answer(thread, post, actor)
    db.session.commit()


def unaccept(thread, actor):
    forums.unaccept_answer(thread, actor)
    db.session.commit()


def give(user, points, when, key=None):
    """Award ``points`` to ``user`` at ``when`` (an endorsement), and commit."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(clock, "now", lambda: when)
        entry = ledger.award(
            user.id,
            "endorsement_received",
            source_type="test",
            source_id=0,
            key=key or f"t:{when.isoformat()}:{points}",
            points=points,
        )
    db.session.commit()
    return entry
