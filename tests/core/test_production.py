"""Production serving: two gunicorn processes on one PostgreSQL and one Redis.

The portal runs as docs/production.md says: each process is ``gunicorn -w 1
--threads 100 'portal:create_app()'`` with ``TACIT_ENV=production``, the same
``SECRET_KEY``, database, Redis channel and search index folder. A person logs
in on one process and is known on the other; a reply posted on one is pushed
to a reader whose socket is held by the other.

The database is always a fresh PostgreSQL one, built by the migrations (on
the server of ``TEST_DATABASE_URL`` when that is PostgreSQL, else on this
machine's), so the test runs in both CI passes and is dropped afterwards.
"""

import os
import queue

import pytest
import socketio as socketio_client

from bench import serving
from portal.auth import service as auth_service
from portal.extensions import db
from portal.forums import service as forums_service
from tests.conftest import TEST_DATABASE_URL

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "production password"
WAIT = 30  # seconds: every wait is bounded, and generous for a busy machine


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """Two server processes with their data: (servers, thread id, thread URL)."""
    folder = tmp_path_factory.mktemp("production")
    with serving.scratch_database("tacit_prod_test", like=TEST_DATABASE_URL) as url:
        env = serving.production_env(url, folder, REDIS_URL)
        with serving.serve(2, env, folder, wait=False) as servers:
            # While they boot: the schema, and data written as an admin would
            # (no pushes needed).
            with serving.portal_app({**env, "REDIS_URL": None}, upgrade=True):
                for username in ("rita", "kai"):
                    auth_service.create_user(username, PASSWORD)
                forum = forums_service.create_forum("Key Accounts", slug="key")
                thread = forums_service.create_thread(
                    forum,
                    auth_service.get_user("rita"),
                    "Escalation at ACME",
                    "What do we know?",
                )
                db.session.commit()
                thread_id, thread_url = thread.id, thread.url
            for server in servers:
                server.wait_until_up()
            yield servers, thread_id, thread_url


@pytest.fixture
def visitor():
    made = []

    def _visitor(cookies=None):
        made.append(serving.Visitor(cookies))
        return made[-1]

    yield _visitor
    for v in made:
        v.close()


def _reader_socket(base: str, cookies: str, arrived: queue.Queue):
    sio = socketio_client.Client(reconnection=False)
    sio.on("post_created", arrived.put)
    sio.connect(
        base,
        headers={"Cookie": cookies},
        transports=["websocket"],
        wait_timeout=WAIT,
    )
    return sio


def test_a_login_on_one_process_is_valid_on_the_other(deployment, visitor):
    (a, b), _, thread_url = deployment
    kai = visitor()
    refused = kai.get(f"{b.base}{thread_url}")
    assert refused.status_code == 302
    assert "/login" in refused.headers["Location"]
    assert kai.log_in(a.base, "kai", PASSWORD).status_code == 302
    page = kai.get(f"{b.base}{thread_url}")
    assert page.status_code == 200
    assert "Escalation at ACME" in page.text


def test_a_reply_through_one_process_is_pushed_by_the_other(deployment, visitor):
    (a, b), thread_id, thread_url = deployment
    rita = visitor()
    assert rita.log_in(b.base, "rita", PASSWORD).status_code == 302
    arrived: queue.Queue = queue.Queue()
    reader = _reader_socket(b.base, rita.cookie_header(), arrived)
    try:
        joined = reader.call("join_thread", {"thread_id": thread_id}, timeout=WAIT)
        assert joined == {"ok": True}

        kai = visitor()
        assert kai.log_in(a.base, "kai", PASSWORD).status_code == 302
        posted = kai.post_form(
            f"{a.base}/forums/t/{thread_id}/reply",
            f"{a.base}{thread_url}",
            {"body": "Pushed across processes"},
        )
        assert posted.status_code == 302, posted.text

        event = arrived.get(timeout=WAIT)
        assert event["thread_id"] == thread_id
        # The reader's browser fetches the new post from its own process.
        fragment = rita.get(f"{b.base}{event['fragment']}")
        assert fragment.status_code == 200
        assert "Pushed across processes" in fragment.text
    finally:
        reader.disconnect()


def test_anonymous_sockets_are_refused(deployment):
    (a, _), _, _ = deployment
    anonymous = socketio_client.Client(reconnection=False)
    with pytest.raises(socketio_client.exceptions.ConnectionError):
        anonymous.connect(a.base, transports=["websocket"], wait_timeout=WAIT)
