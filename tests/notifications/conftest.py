"""Fixtures for the notifications tests: people, forums and a way to read inboxes."""

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.notifications.models import MailMessage, Notification
from tests.forums.factories import make_forum
from tests.notifications.smtp import SMTPServer


@pytest.fixture
def alice(make):
    return make.user("alice", display_name="Alice Martin")


@pytest.fixture
def bob(make):
    return make.user("bob", display_name="Bob Chen")


@pytest.fixture
def carol(make):
    return make.user("carol", display_name="Carol Watcher")


@pytest.fixture
def forum(app):
    return make_forum("Key Account Stories", slug="stories")


@pytest.fixture
def qa(app):
    return make_forum("Customer Service Q&A", kind="questions", slug="service-qa")


@pytest.fixture
def hr_dept(make):
    return make.department("Human Resources")


@pytest.fixture
def hr_forum(app, hr_dept):
    return make_forum("人力资源内部", slug="hr-internal", department=hr_dept)


@pytest.fixture
def inbox():
    """``inbox(user)``: ``(kind, title, url)`` of their notifications, oldest first."""

    def _inbox(user):
        rows = db.session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
        return [(n.kind, n.title, n.url) for n in rows]

    return _inbox


# --- e-mail -----------------------------------------------------------------------


@pytest.fixture
def smtp():
    """A running SMTP server on 127.0.0.1, read back by the tests."""
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_config(smtp):
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "MAIL_USE_TLS": False,
        "MAIL_USERNAME": None,
        "MAIL_DEFAULT_SENDER": "Tacit <tacit@example.com>",
        "MAIL_TIMEOUT": 5,
        "PORTAL_URL": "https://tacit.example.com",
    }


@pytest.fixture
def outbox():
    """``outbox(user=None)``: the queued mail rows, oldest first."""

    def _outbox(user=None):
        stmt = sa.select(MailMessage).order_by(MailMessage.id)
        if user is not None:
            stmt = stmt.where(MailMessage.user_id == user.id)
        return list(db.session.scalars(stmt))

    return _outbox


def text_part(message) -> str:
    return message.get_body(("plain",)).get_content()


def html_part(message) -> str:
    return message.get_body(("html",)).get_content()
