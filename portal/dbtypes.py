"""Column types and mixins shared by every package's models."""

from datetime import UTC, datetime

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import Mapped, mapped_column

from portal import clock


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
