"""Plain words are answered from cached posting lists (``search.postings``);
everything else by Whoosh's own collectors. Both must give a reader the same
results, in the same order, with the same totals, whichever way the cached
path takes: walking the rarest word's documents, or intersecting bitmaps and
reading scores by binary search or from a dense array."""

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.forums import service as forums
from portal.forums.models import Post
from portal.search import postings, query
from tests.forums.factories import make_forum, make_reply, make_thread

TEXTS = [
    ("Printer driver fails", "The printer driver fails after the update."),
    ("Printer jams", "Paper jams in the printer, printer, printer."),
    ("Driver update", "Update the driver first, then restart."),
    ("Printer driver for Contoso", "Contoso needs the new printer driver update."),
    ("Scanner", "The scanner works; the printer does not."),
    ("打印机驱动", "更新后打印机驱动失败。"),
]
QUERIES = ["printer", "printer driver", "driver update fails", "打印机", "contoso x"]

# (BITMAP_SHARE, DENSE_SHARE) that force each way (tiny indexes would
# otherwise always intersect bitmaps).
WAYS = {
    "walk": (0, 4),
    "bitmaps, binary search": (10**9, 0),
    "bitmaps, dense scores": (10**9, 10**9),
}


@pytest.fixture(params=list(WAYS))
def way(request, monkeypatch):
    bitmap_share, dense_share = WAYS[request.param]
    monkeypatch.setattr(postings, "BITMAP_SHARE", bitmap_share)
    monkeypatch.setattr(postings, "DENSE_SHARE", dense_share)
    return request.param


@pytest.fixture
def threads(index, make, employee):
    forum = make_forum("Support", kind="questions")
    made = [make_thread(forum, employee, title, body) for title, body in TEXTS]
    helper = make.user("helper")
    answer = make_reply(made[3], helper, "Fixed by the vendor's printer driver.")
    forums.accept_answer(made[3], answer, employee)
    db.session.commit()
    return made


def _seen(results):
    return (
        [(h.title, round(h.score, 9)) for h in results.hits],
        results.total,
        results.more,
    )


@pytest.mark.parametrize("text", QUERIES)
def test_plain_words_rank_and_count_as_whoosh_does(
    threads, employee, monkeypatch, text, way
):
    fast = _seen(query(text, employee, per_page=3, page=1))
    page2 = _seen(query(text, employee, per_page=3, page=2))
    monkeypatch.setattr(postings, "plan", lambda *args: None)
    assert fast == _seen(query(text, employee, per_page=3, page=1))
    assert page2 == _seen(query(text, employee, per_page=3, page=2))


def test_plain_words_take_the_cached_path(threads, employee, monkeypatch):
    used = []
    search = postings.search
    monkeypatch.setattr(
        postings, "search", lambda *args: used.append(args[1]) or search(*args)
    )
    query("printer driver", employee, kinds=["thread"])
    query('"printer driver"', employee)  # a phrase: Whoosh answers it
    assert len(used) == 1


@pytest.mark.parametrize("path", ["cached", "whoosh"])
def test_a_filter_does_not_change_the_order(threads, employee, monkeypatch, path, way):
    if path == "whoosh":
        monkeypatch.setattr(postings, "plan", lambda *args: None)
    plain = query("printer", employee)
    filtered = query("printer", employee, kinds=["thread"])
    assert len(plain.hits) == 4
    assert _seen(filtered) == _seen(plain)


def test_a_restricted_forum_stays_hidden_on_every_way(
    threads, employee, make, monkeypatch, way
):
    dept = make.department("Key Accounts")
    secret = make_forum("KA only", department=dept)
    make_thread(secret, make.user("kam", department=dept), "Printer secrets", "x")
    db.session.commit()
    seen = _seen(query("printer", employee))
    monkeypatch.setattr(postings, "plan", lambda *args: None)
    assert seen == _seen(query("printer", employee))
    assert "Printer secrets" not in [title for title, _ in seen[0]]
    assert seen[1] == 4


def test_a_deleted_thread_leaves_the_cached_lists(threads, employee, way, monkeypatch):
    """Decoded postings outlive a write (they belong to a segment); the
    documents deleted since must still drop out, and the scores follow the
    index's new statistics."""
    before = _seen(query("printer driver", employee))
    assert "Printer driver fails" in [title for title, _ in before[0]]
    first = db.session.scalars(
        sa.select(Post).where(Post.thread_id == threads[0].id, Post.is_first)
    ).one()
    forums.delete_post(first, threads[0].author)
    db.session.commit()
    after = _seen(query("printer driver", employee))
    assert "Printer driver fails" not in [title for title, _ in after[0]]
    assert after[1] == before[1] - 1
    monkeypatch.setattr(postings, "plan", lambda *args: None)
    assert after == _seen(query("printer driver", employee))
