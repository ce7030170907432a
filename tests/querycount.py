"""Count the SQL statements a page runs, for tests that a page's query count
does not grow with the data on it (DESIGN.md, performance habits)."""

import sqlalchemy as sa

from portal.extensions import db


def queries_for(client, url: str) -> int:
    """Return how many statements a GET of ``url`` runs; it must answer 200."""
    return len(statements_for(client, url))


def statements_for(client, url: str) -> list[str]:
    """Return the statements a GET of ``url`` runs; it must answer 200."""
    # Each request then starts its own transaction, as in production (tests
    # share one session across requests): every count includes its BEGIN.
    db.session.commit()
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.status_code
    return statements
