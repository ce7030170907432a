"""Count the SQL statements a page runs, for tests that a page's query count
does not grow with the data on it (DESIGN.md, performance habits)."""

import sqlalchemy as sa

from portal.extensions import db


def queries_for(client, url: str) -> int:
    """Return how many statements a GET of ``url`` runs; it must answer 200."""
    statements = []

    def count(*args):
        statements.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.status_code
    return len(statements)
