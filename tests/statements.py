"""Count the SQL statements a piece of code sends, for tests that check a cost
does not grow with the number of items."""

import sqlalchemy as sa

from portal.extensions import db


def count_statements(fn) -> int:
    """Call ``fn()`` and return how many statements it sent to the database."""
    seen = []

    def before(*args, **kwargs):
        seen.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
    return len(seen)
