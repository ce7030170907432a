"""Fixtures for the forums tests."""

import pytest

from portal import signals
from tests.forums.factories import make_forum, make_thread


@pytest.fixture
def hr_dept(make):
    return make.department("Human Resources")


@pytest.fixture
def outsider(make):
    """An employee of another department than the restricted forum's."""
    return make.user("otto", display_name="Otto Outsider", department=make.department())


@pytest.fixture
def insider(make, hr_dept):
    return make.user("ines", display_name="Ines Insider", department=hr_dept)


@pytest.fixture
def moderator(make):
    return make.user("mona", role="moderator", display_name="Mona Moderator")


@pytest.fixture
def asker(make):
    return make.user("asa", display_name="Asa Asker")


@pytest.fixture
def answerer(make):
    return make.user("ben", display_name="Ben Answerer")


@pytest.fixture
def discussion(app):
    return make_forum("Key Account Stories", slug="stories")


@pytest.fixture
def questions(app):
    return make_forum("Customer Service Q&A", kind="questions", slug="service-qa")


@pytest.fixture
def hr_forum(app, hr_dept):
    return make_forum("人力资源内部", slug="hr-internal", department=hr_dept)


@pytest.fixture
def question(questions, asker):
    return make_thread(
        questions, asker, "How do we handle a disputed invoice?", "The customer says…"
    )


@pytest.fixture
def secret_thread(hr_forum, insider):
    return make_thread(hr_forum, insider, "Salary review 2026", "Confidential plans.")


@pytest.fixture
def sent():
    """Record the forums' signals: ``sent["vote_cast"] == [(sender, kwargs), …]``."""
    names = [
        "thread_created",
        "thread_updated",
        "thread_moved",
        "post_created",
        "post_edited",
        "post_deleted",
        "post_restored",
        "vote_cast",
        "vote_withdrawn",
        "answer_accepted",
        "answer_unaccepted",
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
