"""Fixtures shared by every test: an app on a clean database, clients, a CLI runner.

The database is SQLite in a temporary folder unless ``TEST_DATABASE_URL`` names
a PostgreSQL database (CI creates a fresh one per run). The schema is built once
per session; every test starts from empty tables. Under pytest-xdist (``make
test`` runs one worker per core) each worker has a database of its own: SQLite
in its own temporary folder, on PostgreSQL a database named after the given one
and the worker, created at the start and dropped at the end.
"""

import contextlib
import os

import pytest
import sqlalchemy as sa
from flask import g
from flask_login import FlaskLoginClient

from portal import clock, create_app
from portal.extensions import db
from portal.search import backend as search_backend
from tests import factories

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def on_postgres() -> bool:
    return bool(TEST_DATABASE_URL) and TEST_DATABASE_URL.startswith("postgresql")


@pytest.fixture(autouse=True)
def _close_searchers():
    """Each test's index is its own: close its idle searchers when the test
    ends (after a served app has stopped), not at interpreter exit."""
    yield
    search_backend.forget_searchers()


@pytest.fixture
def steady_clock(monkeypatch):
    """``portal.clock.now`` stays at the test's first moment. Pages and panels
    are kept per minute ("3 minutes ago"), so a test that checks what a second
    view reuses must not straddle the turn of a minute."""
    moment = clock.now()
    monkeypatch.setattr("portal.clock.now", lambda: moment)
    return moment


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if on_postgres() and worker:
        url = sa.engine.make_url(TEST_DATABASE_URL)
        url = url.set(database=f"{url.database}_{worker}")
        with _maintenance() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}"'))
            conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
            # A test database need not survive a power cut: commits stop
            # waiting for the disk (the tests commit after nearly every step).
            conn.execute(
                sa.text(f'ALTER DATABASE "{url.database}" SET synchronous_commit = off')
            )
        yield url.render_as_string(hide_password=False)
        with _maintenance() as conn:
            conn.execute(sa.text(f'DROP DATABASE "{url.database}" WITH (FORCE)'))
    elif TEST_DATABASE_URL:
        yield TEST_DATABASE_URL
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@contextlib.contextmanager
def _maintenance():
    """A connection to the given PostgreSQL database that may create others."""
    engine = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    app = create_app(_config(database_url, tmp_path_factory.mktemp("schema")))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    yield
    with app.app_context():
        db.drop_all()
        db.session.remove()
        db.engine.dispose()


def _config(database_url, instance_path, **overrides) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(instance_path),
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "REDIS_URL": None,
        "SERVER_NAME": None,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # The test's own index, written right after each commit, whatever
        # SEARCH_INDEX_DIR or SEARCH_ASYNC the shell running the tests has set.
        "SEARCH_INDEX_DIR": str(instance_path / "search-index"),
        "SEARCH_ASYNC": False,
        **overrides,
    }


def _fresh_g() -> None:
    for name in list(vars(g)):
        delattr(g, name)


def _empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app_config():
    """Override to change settings for one test module."""
    return {}


@contextlib.contextmanager
def app_on_empty_tables(database_url, instance_path, **overrides):
    """An app in its own context; its tables are emptied when it ends."""
    app = create_app(_config(database_url, instance_path, **overrides))
    app.test_client_class = FlaskLoginClient
    # Requests in a test reuse the test's app context (Flask pushes none of its
    # own), so ``g`` would carry the logged-in user and the locale from one
    # request to the next. In production every request has a fresh ``g``.
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_g)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            _empty_tables()
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(_schema, database_url, tmp_path, app_config):
    with app_on_empty_tables(database_url, tmp_path, **app_config) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(app):
    """Factories bound to the test's database: ``make.user(role="hr")``."""
    return factories.Factories()


@pytest.fixture
def login(app):
    """``login(user)`` returns a test client signed in as ``user``."""

    def _login(user):
        return app.test_client(user=user)

    return _login


@pytest.fixture
def employee(make):
    return make.user(username="emma", display_name="Emma Employee")


@pytest.fixture
def admin(make):
    return make.user(username="root", role="admin", display_name="Ada Admin")


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's; ``.ci/run`` installs it), one for the whole
    run: Playwright's sync API allows one driver per process at a time."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
