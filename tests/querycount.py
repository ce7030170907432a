"""Count the SQL statements code or a page sends, for tests that a cost does
not grow with the data (DESIGN.md, performance habits)."""

import contextlib

import sqlalchemy as sa

from portal.extensions import db


@contextlib.contextmanager
def _recording():
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def count_statements(fn) -> int:
    """Call ``fn()`` and return how many statements it sent to the database."""
    with _recording() as statements:
        fn()
    return len(statements)


def queries_for(client, url: str) -> int:
    """Return how many statements a GET of ``url`` runs; it must answer 200."""
    return len(statements_for(client, url))


def statements_for(client, url: str) -> list[str]:
    """Return the statements a GET of ``url`` runs; it must answer 200."""
    # Each request then starts its own transaction, as in production (tests
    # share one session across requests): every count includes its BEGIN.
    db.session.commit()
    with _recording() as statements:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return statements
