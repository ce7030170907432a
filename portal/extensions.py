"""The Flask extensions, created unbound and bound in ``create_app``."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints, so that Alembic can alter them on SQLite and PostgreSQL alike.
naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=naming_convention))
migrate = Migrate()
login_manager = LoginManager()
socketio = SocketIO()
csrf = CSRFProtect()
babel = Babel()


def _may_write() -> bool:
    from flask import has_request_context, request

    return not has_request_context() or request.method not in ("GET", "HEAD")


def configure_sqlite(engine) -> None:
    """Make SQLite behave transactionally, as PostgreSQL does.

    Python's sqlite3 driver sends no BEGIN until the first write, so a SAVEPOINT
    issued first opens the transaction itself and its RELEASE commits it. This
    is SQLAlchemy's documented pysqlite recipe: let SQLAlchemy send BEGIN. It
    also turns foreign keys on and uses WAL so readers do not block the writer.
    """
    from sqlalchemy import event

    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            # SQLite's advice for WAL: a commit is not synced to disk at once
            # but at the next checkpoint; the database never corrupts, and a
            # power cut loses at most the last moments.
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # A deferred transaction that reads, then writes after another
        # connection committed, fails at once with "database is locked" (WAL
        # cannot upgrade a stale snapshot). Requests that may write, and
        # commands, take the write lock up front; GETs stay concurrent.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _may_write() else "BEGIN")
