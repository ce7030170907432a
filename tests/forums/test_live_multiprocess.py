"""Live updates across server processes, through Redis as the Socket.IO queue.

Two real server processes share the test database and Redis. A reader's socket
is connected to process B; a reply is posted over HTTP through process A; the
push must reach the reader. This is how production runs several workers.
"""

import contextlib
import os
import queue
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
import socketio as socketio_client
import sqlalchemy as sa

from portal.extensions import db
from portal.forums.models import Post
from tests.factories import PASSWORD
from tests.forums.factories import make_thread

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
WAIT = 10  # seconds: every wait in this test is bounded


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(base: str, process: subprocess.Popen, log: Path) -> None:
    # Start-up imports and loads the Chinese dictionary: slow on a busy machine.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log.read_text()}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    pytest.fail(f"server at {base} did not start:\n{log.read_text()}")


def _login(base: str, username: str) -> requests.Session:
    http = requests.Session()
    page = http.get(f"{base}/login", timeout=WAIT).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    response = http.post(
        f"{base}/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
        timeout=WAIT,
    )
    assert response.status_code == 302, response.text
    return http


@pytest.fixture(scope="module")
def servers(database_url, tmp_path_factory):
    """Start two server processes; yield their base URLs; stop them."""
    tmp_path = tmp_path_factory.mktemp("servers")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "SOCKETIO_CHANNEL": f"tacit-test-{uuid.uuid4().hex}",
        "SECRET_KEY": "multi-process-test-secret",
        "TACIT_INSTANCE_PATH": str(tmp_path / "instance"),
        "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "PYTHONPATH": str(ROOT),
    }
    started = []  # (process, base URL, log file)
    try:
        for name in ("a", "b"):
            port = _free_port()
            log = tmp_path / f"server-{name}.log"
            with log.open("w") as out:
                process = subprocess.Popen(
                    [sys.executable, "-m", "tests.forums.serve", str(port)],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started.append((process, f"http://127.0.0.1:{port}", log))
        for process, base, log in started:
            _wait_until_up(base, process, log)
        yield [base for _, base, _ in started]
    finally:
        for process, _, _ in started:
            process.terminate()
        for process, _, _ in started:
            try:
                process.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=WAIT)


def test_a_reply_on_one_server_is_pushed_to_a_reader_on_another(
    app, discussion, employee, make, servers
):
    thread = make_thread(discussion, employee, "Escalation at ACME")
    thread_id, thread_url = thread.id, thread.url
    make.user("rita", display_name="Rita Reader")
    make.user("kai", display_name="Kai Writer")
    db.session.remove()  # leave the database to the servers
    server_a, server_b = servers

    reader_http = _login(server_b, "rita")
    arrived: queue.Queue = queue.Queue()
    reader = socketio_client.Client(reconnection=False)
    reader.on("post_created", arrived.put)
    reader.connect(
        server_b,
        headers={"Cookie": f"session={reader_http.cookies['session']}"},
        transports=["websocket"],
        wait_timeout=WAIT,
    )
    try:
        joined = reader.call("join_thread", {"thread_id": thread_id}, timeout=WAIT)
        assert joined == {"ok": True}

        writer = _login(server_a, "kai")
        page = writer.get(f"{server_a}{thread_url}", timeout=WAIT).text
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
        response = writer.post(
            f"{server_a}/forums/t/{thread_id}/reply",
            data={"body": "Pushed across processes", "csrf_token": token},
            allow_redirects=False,
            timeout=WAIT,
        )
        assert response.status_code == 302, response.text

        event = arrived.get(timeout=WAIT)
        post_id = db.session.scalar(
            sa.select(Post.id).where(Post.body == "Pushed across processes")
        )
        assert event == {
            "thread_id": thread_id,
            "post_id": post_id,
            "fragment": f"/forums/posts/{post_id}/fragment",
        }
        # The reader's browser then fetches the post from its own server.
        fragment = reader_http.get(f"{server_b}{event['fragment']}", timeout=WAIT)
        assert "Pushed across processes" in fragment.text
    finally:
        reader.disconnect()
        db.session.remove()


def test_anonymous_sockets_are_refused_by_a_real_server(servers):
    client = socketio_client.Client(reconnection=False)
    with pytest.raises(socketio_client.exceptions.ConnectionError):
        client.connect(servers[0], transports=["websocket"], wait_timeout=WAIT)
