"""Column types and mixins shared by every package's models."""

from datetime import UTC, datetime

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import Mapped, mapped_column

from portal import clock


def dialect_insert(session):
    """Return ``insert`` of the session's database (PostgreSQL or SQLite), the
    one with ``on_conflict_do_nothing`` and ``on_conflict_do_update``."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def insert_unless_exists(session, model, **values) -> bool:
    """Insert a row unless a unique constraint says it exists; return whether
    it was inserted.

    ``ON CONFLICT DO NOTHING`` rather than a savepoint: releasing a savepoint
    counts as a commit to SQLAlchemy's ``after_commit`` event, which would
    run the transaction's after-commit effects too early.
    """
    stmt = (
        dialect_insert(session)(model.__table__)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(model.__table__.c.id)
    )
    # rowcount is not reliable here (psycopg reports -1); a returned id is.
    return session.execute(stmt).first() is not None


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored as UTC and always returned timezone-aware.

    SQLite has no time zones and hands back naive datetimes; PostgreSQL's
    ``timestamptz`` is aware. This type makes both look the same to Python.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _now() -> datetime:
    return clock.now()


class Timestamps:
    """``created_at`` and ``updated_at``, set by the application clock."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=_now, onupdate=_now
    )


class SanitizedHTML(sa.types.TypeDecorator):
    """HTML produced by ``portal.markup.render``, stored beside its source.

    Only ``Markup`` can be stored (so raw user text cannot slip in by mistake),
    and it comes back as ``Markup``, so templates print it without ``|safe``.
    """

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, Markup):
            raise TypeError("SanitizedHTML columns take the Markup of markup.render()")
        return str(value)

    def process_result_value(self, value, dialect):
        # Safe: only markup.render() output was accepted on the way in.
        return None if value is None else Markup(value)  # noqa: S704
