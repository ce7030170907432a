"""Fixtures for the accounts tests."""

import itertools

import pytest

from portal.accounts import service
from portal.extensions import db


@pytest.fixture
def make_account(app):
    """``make_account(name=..., crm_ref=..., **fields)`` creates and commits one."""
    seq = itertools.count(1)

    def _make(name: str | None = None, crm_ref: str | None = None, **fields):
        n = next(seq)
        account = service.create_account(
            name or f"Account {n}", crm_ref or f"CRM-{n:05d}", **fields
        )
        db.session.commit()
        return account

    return _make


@pytest.fixture
def captured():
    """Collect the account signals sent during a test: ``captured["updated"]``."""
    from portal import signals

    seen = {"created": [], "updated": []}

    def on_created(sender, **kw):
        seen["created"].append((sender, kw))

    def on_updated(sender, **kw):
        seen["updated"].append((sender, kw))

    signals.account_created.connect(on_created)
    signals.account_updated.connect(on_updated)
    yield seen
    signals.account_created.disconnect(on_created)
    signals.account_updated.disconnect(on_updated)
