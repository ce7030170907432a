"""Search: one index over threads, wiki pages, people and accounts, in Chinese
and English, kept current after commit, showing each reader only what they may
see (Combination and Internalization, SECI).

The interface other packages use, and the only one (the Whoosh backend stays
behind it, so it can be swapped):

- ``query(text, viewer, *, kinds=None, account_id=None, tag=None,
  author_id=None, since=None, until=None, sort="relevance", page=1,
  per_page=20) -> Results``: ``Results.total``, ``.hits`` (each a ``Hit``:
  ``kind``, ``id``, ``title``, ``title_html``, ``url``, ``snippet`` (safe
  ``Markup``: escaped text, matches in ``<mark>``), ``date``, ``flags``,
  ``resolved``, ``archived``, ``meta``), ``.suggestion`` ("did you mean") and
  ``.error`` (``"missing"``, ``"outdated"`` or ``"unreadable"`` when the index
  cannot be used; never an exception).
- ``similar_threads(title, viewer, limit=5) -> list[Hit]``.

Document kinds live in ``portal/search/kinds/`` (see its docstring for how to
add one). Indexing after commit is ``portal/search/indexing.py``.
"""

from portal.search.service import Hit, Results, query, similar_threads

__all__ = ["Hit", "Results", "query", "similar_threads", "init_app"]


def init_app(app) -> None:
    import os
    from pathlib import Path

    from portal.search import cli, indexing, models, views  # noqa: F401
    from portal.search.analysis import init_jieba

    # Index writes in a background thread per process (after commit), except
    # in tests, which want the index current when the request returns.
    env = os.environ.get("SEARCH_ASYNC")
    default = env.strip().lower() in {"1", "true", "yes", "on"} if env else None
    app.config.setdefault(
        "SEARCH_ASYNC", default if default is not None else not app.testing
    )
    # jieba's dictionary cache lives in the instance folder; load it now so the
    # first search does not wait for it.
    init_jieba(Path(app.instance_path) / "jieba")
    indexing.connect()
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.search_cli)
