"""Versions are raised by the writes packages name, kept only when the
transaction commits, and read once per request."""

from portal import versions
from portal.accounts import service as accounts_service
from portal.extensions import db
from tests.querycount import count_statements


def _version(subject: str) -> int:
    return versions.read([subject])[0]


def test_a_watched_write_raises_its_subject_when_it_commits(app):
    account = accounts_service.create_account("ACME", "CRM-1")
    db.session.commit()
    subject = versions.account(account.id)
    before = _version(subject)
    accounts_service.update_account(account, name="ACME Group")
    db.session.flush()
    assert versions.raised()
    db.session.commit()
    assert not versions.raised()
    assert _version(subject) == before + 1
    # Another account's version does not move.
    assert _version(versions.account(account.id + 1)) == 0


def test_a_rolled_back_write_leaves_the_version_as_it_was(app):
    account = accounts_service.create_account("ACME", "CRM-1")
    db.session.commit()
    subject = versions.account(account.id)
    before = _version(subject)
    versions.touch(subject, versions.ALL)
    assert versions.raised()
    db.session.rollback()
    assert not versions.raised()
    assert _version(subject) == before
    assert _version(versions.ALL) == 0


def test_a_request_reads_the_versions_once_until_it_commits(app):
    subjects = (versions.account(1), versions.ALL)
    with app.test_request_context("/"):
        assert count_statements(lambda: versions.read(subjects)) > 0
        assert count_statements(lambda: versions.read(subjects)) == 0
        versions.touch(versions.ALL)
        db.session.commit()
        assert versions.read(subjects) == (0, 1)
