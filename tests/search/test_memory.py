"""A searcher reads the index's files; it does not copy them into memory.

Searchers are kept one per thread, so whatever a searcher copies is paid once
per server thread: copying the term index made a worker of the page benchmark
grow by 230 MB per thread at size M.
"""

import random
import threading
import tracemalloc

from whoosh.query import Term

from portal.search import backend


def _build(path, count=700):
    rng = random.Random(5)
    vocabulary = [f"word{n}q" for n in range(20_000)]
    with backend.build(path) as add:
        for i in range(count):
            words = rng.choices(vocabulary, k=300)
            add(
                {
                    "key": f"thread:{i}",
                    "kind": "thread",
                    "doc_id": i,
                    "title": " ".join(words[:6]),
                    "body": " ".join(words),
                    "spell": " ".join(words[:6]),
                    "scope": "all",
                }
            )


def test_a_searcher_does_not_copy_the_index_into_memory(tmp_path):
    path = tmp_path / "index"
    _build(path)
    size = backend.size_bytes(path)
    assert size > 2_000_000  # big enough for a copy to show

    found = {}

    def search():
        # A new thread has no searcher yet: this opens one, as a server thread does.
        tracemalloc.start()
        try:
            with backend.searcher(path) as s:
                found["hits"] = len(s.search(Term("content", "word7q"), limit=None))
            found["peak"] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            backend.forget_searchers()

    reader = threading.Thread(target=search)
    reader.start()
    reader.join()

    assert found["hits"] > 0
    assert found["peak"] < size / 4, (found["peak"], size)
