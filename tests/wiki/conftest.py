"""Fixtures for the wiki tests: pages written through the service, signal capture."""

import pytest

from portal import signals
from portal.extensions import db
from portal.wiki import service


@pytest.fixture
def author(make):
    return make.user("wang", display_name="王芳 Wang Fang")


@pytest.fixture
def moderator(make):
    return make.user("mod", role="moderator", display_name="Mo Derator")


@pytest.fixture
def write(author):
    """``write(title, body, by=None, **kw)`` creates a page and commits."""

    def _write(title: str, body: str = "Some text.", by=None, **kw):
        page = service.create_page(title, body, by or author, **kw)
        db.session.commit()
        return page

    return _write


@pytest.fixture
def revise():
    """``revise(page, body, by, base=None)`` saves a revision and commits."""

    def _revise(page, body: str, by, base=None, **kw):
        base = page.current_revision.number if base is None else base
        revision = service.edit_page(page, body, by, base_revision=base, **kw)
        db.session.commit()
        return revision

    return _revise


WIKI_SIGNALS = {
    "created": signals.page_created,
    "revised": signals.page_revised,
    "state": signals.page_state_changed,
    "renamed": signals.page_renamed,
    "deleted": signals.page_deleted,
    "restored": signals.page_restored,
    "written_up": signals.thread_written_up,
}


@pytest.fixture
def sent():
    """Record the wiki signals sent during a test: ``sent["revised"]``."""
    seen = {name: [] for name in WIKI_SIGNALS}
    receivers = {}
    for name, signal in WIKI_SIGNALS.items():

        def receiver(sender, _name=name, **kw):
            seen[_name].append((sender, kw))

        receivers[name] = receiver
        signal.connect(receiver)
    yield seen
    for name, signal in WIKI_SIGNALS.items():
        signal.disconnect(receivers[name])
