"""Fixtures for the experts tests: a questions forum, people, and helpers that
write content through the forums' and wiki's services (so signals fire)."""

from datetime import UTC, datetime

import pytest

from portal import clock, signals
from portal.extensions import db
from portal.forums import service as forums
from tests.forums.factories import make_forum, make_reply, make_thread

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def at(monkeypatch):
    """``at(datetime)`` sets the frozen clock; it starts at NOW."""

    def _at(moment):
        monkeypatch.setattr(clock, "now", lambda: moment)
        return moment

    _at(NOW)
    return _at


@pytest.fixture
def questions(app):
    return make_forum("Customer Service Q&A", kind="questions", slug="service-qa")


@pytest.fixture
def discussion(app):
    return make_forum("Stories", slug="stories")


@pytest.fixture
def people(make):
    """asker, expert, chatty, other: four employees."""
    return {
        name: make.user(name, display_name=name.title())
        for name in ("asker", "expert", "chatty", "other", "voter1", "voter2")
    }


@pytest.fixture
def ask_thread(questions):
    """``ask_thread(author, title, body, tags=..., accounts=...)``."""

    def _ask(author, title, body="How do we handle it?", **kw):
        return make_thread(questions, author, title, body, **kw)

    return _ask


@pytest.fixture
def answer():
    """``answer(thread, author, body, accept_by=None, votes_by=())``."""

    def _answer(thread, author, body="Here is how.", accept_by=None, votes_by=()):
        post = make_reply(thread, author, body)
        for voter in votes_by:
            forums.vote(post, voter, 1)
        if accept_by is not None:
            forums.accept_answer(thread, post, accept_by)
        db.session.commit()
        return post

    return _answer


@pytest.fixture
def sent():
    """Record the experts' signals: ``sent["expert_asked"] == [(sender, kw)]``."""
    names = [
        "expert_asked",
        "question_escalated",
        "case_resolved",
        "endorsement_given",
        "endorsement_withdrawn",
        "user_updated",
    ]
    seen = {name: [] for name in names}
    receivers = {}
    for name in names:

        def receiver(sender, _name=name, **kwargs):
            seen[_name].append((sender, kwargs))

        receivers[name] = receiver
        getattr(signals, name).connect(receiver)
    yield seen
    for name, receiver in receivers.items():
        getattr(signals, name).disconnect(receiver)
