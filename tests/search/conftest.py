"""Search tests: each app has its own instance folder, so its own index.

``index`` builds the (empty) index first; services then keep it current after
each commit, synchronously (``SEARCH_ASYNC`` is off under ``TESTING``).
"""

import pytest

from portal.search import indexing, query
from tests.forums.factories import make_forum


@pytest.fixture
def index(app):
    indexing.rebuild()
    return app.config["SEARCH_INDEX_DIR"]


@pytest.fixture
def forum(index):
    return make_forum("General")


@pytest.fixture
def find(index):
    """``find(text, viewer, **filters)`` returns the titles found, best first."""

    def _find(text, viewer, **kw):
        results = query(text, viewer, **kw)
        assert results.error is None, results.error
        return [hit.title for hit in results.hits]

    return _find
