"""Benchmarks: data generation, pages over HTTP, live pushes, search, experts.

Each benchmark database has a search index of its own, beside the other
outputs in ``bench/out/``: the portal's default (``instance/search-index``) is
one folder, so generating M after S would otherwise leave S's pages searching
M's index.
"""

from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def search_index_dir(database_url: str) -> Path:
    """The search index folder of the benchmark database at ``database_url``."""
    name = sa.engine.make_url(database_url).database or "memory"
    return OUT / f"search-index-{Path(name).stem}"
