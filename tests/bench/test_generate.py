"""The benchmark data generator at a toy size: the portal agrees with what it wrote.

Always on its own SQLite file: the generator drops what is in its database.
Nothing here measures time.
"""

import logging
from datetime import datetime

import pytest
import sqlalchemy as sa

from bench import generate


@pytest.fixture(autouse=True)
def _keep_logging():
    """Alembic's env.py calls ``logging.config.fileConfig``, which disables every
    logger that exists and replaces the root handlers: undo it for later tests."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    loggers = [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    disabled = {logger: logger.disabled for logger in loggers}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for logger in logging.root.manager.loggerDict.values():
        if isinstance(logger, logging.Logger):
            logger.disabled = disabled.get(logger, False)


def _run(tmp_path, name):
    url = f"sqlite:///{tmp_path / name}"
    report = generate.generate(
        "toy",
        url,
        seed=3,
        end=datetime(2026, 6, 1),
        reset=True,
        check=True,
        config={"INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "x"},
    )
    return url, report


def _digest(url):
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT p.id, p.author_id, p.body, p.created_at, t.title "
                "FROM posts p JOIN threads t ON t.id = p.thread_id ORDER BY p.id"
            )
        ).all()
        points = conn.execute(sa.text("SELECT sum(points) FROM point_entries")).scalar()
    engine.dispose()
    return rows, points


def test_toy_data_has_true_counters_and_ledger_and_is_repeatable(tmp_path):
    url, report = _run(tmp_path, "one.db")

    size = generate.SIZES["toy"]
    assert report["rows"]["users"] == size.people
    assert report["rows"]["threads"] == size.threads
    assert report["rows"]["posts"] == size.posts
    assert report["rows"]["pages"] == size.pages
    assert report["rows"]["votes"] > 0
    assert report["rows"]["point_entries"] > 0
    # The portal's own repair commands would change nothing.
    assert report["check"]["recount_changes"] == {
        "threads": 0,
        "posts": 0,
        "forums": 0,
    }
    assert report["check"]["ledger_differences"] == []

    again, _ = _run(tmp_path, "two.db")
    assert _digest(url) == _digest(again)
