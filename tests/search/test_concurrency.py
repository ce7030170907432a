"""Two processes writing at once lose no index update (gunicorn workers)."""

import os
import subprocess
import sys
from pathlib import Path

from portal.extensions import db
from portal.search import backend, query
from portal.search.indexing import pending

ROOT = Path(__file__).resolve().parents[2]
COUNT = 12


def test_two_processes_index_concurrently(app, database_url, forum, employee):
    args = [
        database_url,
        app.instance_path,
        str(forum.id),
        str(employee.id),
    ]
    # End the test's own transaction: on SQLite it holds the write lock.
    db.session.rollback()
    env = {**os.environ, "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"]}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.search.writer_proc",
                *args,
                prefix,
                str(COUNT),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for prefix in ("alpha", "bravo")
    ]
    for proc in procs:
        output, _ = proc.communicate(timeout=180)
        assert proc.returncode == 0, output.decode()
    assert pending() == 0
    backend.forget_searchers()  # read the index as the two processes left it
    for prefix in ("alpha", "bravo"):
        results = query(f"{prefix} topic", employee, per_page=50)
        assert results.total == COUNT, prefix
        assert {h.title for h in results.hits} == {
            f"{prefix} topic {n}" for n in range(COUNT)
        }
