"""The one source of "now", so tests can travel in time by patching ``now``."""

from datetime import UTC, datetime


def now() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)
