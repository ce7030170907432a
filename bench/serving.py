"""Serve the portal as production does, for the production test and the benchmarks.

Production runs several gunicorn processes, each ``gunicorn -w 1 --threads 100
'portal:create_app()'`` (docs/production.md), on one PostgreSQL database, one
Redis channel and one search index folder. ``serve(2, env, folder)`` starts
that here on 127.0.0.1; ``scratch_database()`` gives it a PostgreSQL database
of its own and drops it afterwards; ``portal_app(env, upgrade=True)`` builds
its schema with the migrations and writes data through the services.

The test suite imports this module (tests/core/test_production.py), so it
depends on nothing but the standard library, requests and SQLAlchemy, and
nothing else under ``bench/``.
"""

import contextlib
import getpass
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
APP = "portal:create_app()"
THREADS = 100
START_TIMEOUT = 90  # seconds: start-up loads jieba's dictionary; slow on a busy machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_url(database: str, like: str | None = None) -> str:
    """The URL of ``database`` on the server of ``like`` (default: this machine's)."""
    if like and like.startswith("postgresql"):
        return sa.make_url(like).set(database=database).render_as_string(False)
    user = os.environ.get("PGUSER") or getpass.getuser()
    return f"postgresql+psycopg://{user}@127.0.0.1:5432/{database}"


@contextlib.contextmanager
def scratch_database(prefix: str, like: str | None = None) -> Iterator[str]:
    """Create an empty PostgreSQL database, yield its URL, then drop it.

    ``like`` is a PostgreSQL URL naming the server to use (its database is
    left alone). The database is dropped even when the block fails, with
    ``FORCE`` so that a server process left connected cannot keep it alive.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(
        postgres_url("postgres", like), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield postgres_url(name, like)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


class Server:
    """One gunicorn process (its master and its one worker) in its own group.

    ``start()`` returns at once; ``wait_until_up()`` waits for ``/healthz``.
    """

    def __init__(self, env: dict, log: Path, threads: int = THREADS):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.command = [
            sys.executable, "-m", "gunicorn",
            "-w", "1",
            "--threads", str(threads),
            "-b", f"127.0.0.1:{self.port}",
            # gunicorn 27 opens a control socket at one shared path by default.
            "--no-control-socket",
            APP,
        ]  # fmt: skip
        self.env = env
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Server":
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        with requests.Session() as http:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                with contextlib.suppress(requests.RequestException):
                    if http.get(self.base + "/healthz", timeout=5).ok:
                        return
                time.sleep(0.2)
        raise RuntimeError(
            f"gunicorn on {self.base} did not start:\n{self.log.read_text()}"
        )

    def terminate(self) -> None:
        """Ask the master and its worker to stop (they finish what they serve)."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)

    def wait(self) -> None:
        """Wait for the stop asked by ``terminate()``; kill after 20 s."""
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def production_env(database_url: str, folder: Path, redis_url: str) -> dict:
    """The environment every process of one deployment shares (docs/production.md).

    The Socket.IO channel is new each time, so that two runs on one Redis never
    hear each other.
    """
    return {
        "TACIT_ENV": "production",
        "SECRET_KEY": uuid.uuid4().hex,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SOCKETIO_CHANNEL": f"tacit-{uuid.uuid4().hex}",
        "SEARCH_INDEX_DIR": str(folder / "search-index"),
        "UPLOAD_DIR": str(folder / "uploads"),
        "MALLOC_ARENA_MAX": "2",
    }


@contextlib.contextmanager
def serve(
    count: int, env: dict, folder: Path, threads: int = THREADS, *, wait: bool = True
) -> Iterator[list[Server]]:
    """Start ``count`` gunicorn processes with ``env``; stop them all afterwards.

    With ``wait=False`` it yields as soon as they are started, so that the
    caller can do something else while they boot, then ``wait_until_up()``.
    """
    servers = [Server(env, folder / f"gunicorn-{n}.log", threads) for n in range(count)]
    try:
        for server in servers:
            server.start()
        if wait:
            for server in servers:
                server.wait_until_up()
        yield servers
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait()


class Visitor:
    """Someone using the portal over HTTP, with cookies kept by hand.

    Production cookies are ``Secure``, and requests would not send them back
    over plain http; a real deployment has TLS in front (nginx). ``cookies``
    can be handed to another visitor, or to a Socket.IO client as a header.
    Redirects are returned, not followed: requests would drop the cookies.
    """

    def __init__(self, cookies: dict | None = None):
        self.cookies: dict = dict(cookies or {})
        self.http = requests.Session()

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, url: str, **kw) -> requests.Response:
        headers = {**kw.pop("headers", {}), "Cookie": self.cookie_header()}
        kw.setdefault("timeout", 30)
        response = self.http.request(
            method, url, headers=headers, allow_redirects=False, **kw
        )
        self.cookies.update({c.name: c.value for c in response.cookies})
        return response

    def get(self, url: str, **kw) -> requests.Response:
        return self.request("GET", url, **kw)

    def post_form(self, url: str, page: str, data: dict) -> requests.Response:
        """Post ``data`` to ``url`` with the CSRF token of the form page ``page``."""
        html = self.get(page).text
        token = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"', html
        )
        if token is None:
            raise RuntimeError(f"no CSRF token on {page}")
        return self.request("POST", url, data={**data, "csrf_token": token[1]})

    def log_in(self, base: str, username: str, password: str) -> requests.Response:
        login = f"{base}/login"
        return self.post_form(
            login, login, {"username": username, "password": password}
        )

    def close(self) -> None:
        self.http.close()


@contextlib.contextmanager
def portal_app(env: dict, *, upgrade: bool = False, **config) -> Iterator:
    """An app context of the deployment ``env`` in this process, to write data
    through the services; with ``REDIS_URL`` its pushes reach every server.

    Like the servers it uses the default instance folder, for jieba's cache.
    With ``upgrade`` it first builds the schema with the migrations, as
    ``flask --app portal db upgrade`` does. ``config`` overrides settings.
    """
    from flask_migrate import upgrade as migrate_upgrade

    from portal import create_app
    from portal.extensions import db

    app = create_app(
        {
            "TESTING": True,  # index right after commit, no background thread
            "SECRET_KEY": env["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
            "REDIS_URL": env.get("REDIS_URL"),
            "SOCKETIO_CHANNEL": env["SOCKETIO_CHANNEL"],
            "SEARCH_INDEX_DIR": env["SEARCH_INDEX_DIR"],
            "UPLOAD_DIR": env["UPLOAD_DIR"],
            # Data made here is throwaway: hash its passwords quickly.
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            **config,
        }
    )
    with app.app_context():
        try:
            if upgrade:
                migrate_upgrade()
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()
