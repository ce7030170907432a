"""Two cron runs at once, on PostgreSQL with real connections: every mail is
sent once, and every digest queued once."""

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from portal import clock
from portal.extensions import db
from portal.notifications import digest, mail
from portal.notifications.models import MailMessage
from tests.conftest import on_postgres
from tests.forums.factories import make_reply, make_thread

pytestmark = pytest.mark.skipif(
    not on_postgres(), reason="needs PostgreSQL; runs in CI's PostgreSQL pass"
)

RUNS = 4


@pytest.fixture
def app_config(mail_config):
    return mail_config


def _at_once(app, fn) -> list[BaseException]:
    barrier = threading.Barrier(RUNS)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with app.app_context():
                barrier.wait()
                fn()
                db.session.remove()
        except BaseException as error:  # reported to the test below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_flushes_send_each_mail_once(app, forum, make, smtp):
    author = make.user("ann", email="ann@example.com")
    people = [make.user(f"p{i}", email=f"p{i}@example.com") for i in range(12)]
    mentions = " ".join(f"@{p.username}" for p in people)
    make_thread(forum, author, "Everyone", mentions)
    assert db.session.scalar(sa.select(sa.func.count(MailMessage.id))) == 12
    addresses = sorted(p.email for p in people)
    db.session.remove()

    assert _at_once(app, lambda: mail.flush(limit=5)) == []
    # Whatever the runs did not reach, the next run sends.
    mail.flush()
    recipients = sorted(r for rcpts, _m in smtp.received for r in rcpts)
    assert recipients == addresses


def test_concurrent_digest_runs_queue_each_digest_once(app, forum, make, monkeypatch):
    author = make.user("ann", email="ann@example.com")
    people = [make.user(f"d{i}", email=f"d{i}@example.com") for i in range(8)]
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 26, 9, tzinfo=UTC))
    for person in people:
        make_reply(make_thread(forum, person, f"From {person.username}"), author)
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 27, 6, tzinfo=UTC))
    ids = sorted(p.id for p in people)
    db.session.remove()

    assert _at_once(app, lambda: digest.send_digests("daily")) == []
    rows = db.session.scalars(
        sa.select(MailMessage.user_id).where(MailMessage.kind == "digest_daily")
    ).all()
    assert sorted(rows) == ids
