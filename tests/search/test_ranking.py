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

# (BITMAP_SHARE, DENSE_SHARE, TOP_MIN, SCORE_ALL_SHARE, TOP_COMMON_SHARE)
# that force each way (tiny indexes would otherwise always intersect bitmaps).
WAYS = {
    "walk": (0, 4, 10**9, 4, 4),
    "walk, scored alone": (0, 4, 10**9, 0, 4),
    "bitmaps, scored alone": (10**9, 0, 10**9, 0, 4),
    "bitmaps, binary search": (10**9, 0, 10**9, 10**9, 4),
    "bitmaps, dense scores": (10**9, 10**9, 10**9, 10**9, 4),
    "one word, best first": (0, 4, 0, 4, 4),
    "words, best first": (10**9, 4, 0, 4, 10**9),
}


@pytest.fixture(params=list(WAYS))
def way(request, monkeypatch):
    bitmap_share, dense_share, top_min, score_all_share, top_common = WAYS[
        request.param
    ]
    monkeypatch.setattr(postings, "TOP_COMMON_SHARE", top_common)
    monkeypatch.setattr(postings, "SCORE_ALL_SHARE", score_all_share)
    monkeypatch.setattr(postings, "BITMAP_SHARE", bitmap_share)
    monkeypatch.setattr(postings, "DENSE_SHARE", dense_share)
    monkeypatch.setattr(postings, "TOP_MIN", top_min)
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


def test_several_common_words_are_read_best_first(index, employee, monkeypatch):
    forum = make_forum("Support", kind="questions")
    for n in range(30):
        body = "printer driver " * (n % 4 + 1) + "update " * (n % 3) + f"case{n}"
        make_thread(forum, employee, f"Printer {n}" if n % 5 else "Driver", body)
    db.session.commit()
    monkeypatch.setattr(postings, "TOP_MIN", 0)
    used = []
    top = postings._top
    monkeypatch.setattr(
        postings,
        "_top",
        lambda identity, must, *rest: used.append(len(must))
        or top(identity, must, *rest),
    )
    texts = ["printer driver", "printer driver update"]
    fast = [
        _seen(query(t, employee, per_page=5, page=p)) for t in texts for p in (1, 3)
    ]
    assert sorted(set(used)) == [2, 3]
    monkeypatch.setattr(postings, "plan", lambda *args: None)
    assert fast == [
        _seen(query(t, employee, per_page=5, page=p)) for t in texts for p in (1, 3)
    ]


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


# --- one word, best first, against scoring every document ---------------------------


def _entry(docs, scores=None):
    """An entry whose documents score ``scores`` (as frequencies, under a
    formula that returns them), worked out as the cache works them out."""
    from array import array

    if scores is None:
        return postings._Entry(("f", str(docs[:3]), False), array("i", docs))
    rate = postings._Formula(lambda tf, length: tf * length, [1] * (max(docs) + 1))
    return postings._Entry(
        ("f", str(docs[:3]), True),
        array("i", docs),
        tfs=array("d", scores),
        rate=rate,
    )


def test_best_first_gives_the_page_and_total_of_scoring_everything():
    for seed in range(400):
        assert _best_first(seed) == _everything(seed), f"seed {seed}"


def _case(seed):
    import random

    rnd = random.Random(seed)
    size = rnd.randint(50, 400)

    def some(share):
        return sorted(rnd.sample(range(size), max(1, int(size * share))))

    # Few distinct scores, so that ties are common and order by document.
    must = []
    for _ in range(1 if rnd.random() < 0.4 else rnd.choice([2, 3])):
        docs = some(rnd.uniform(0.3, 1.0))
        scores = [rnd.choice([0.5, 1.25, 2.0, 3.5]) for _ in docs]
        must.append((_entry(docs, scores), rnd.choice([1.0, 2.0])))
    must.sort(key=lambda item: len(item[0].docs))  # shortest first, as _scored
    title_docs = some(rnd.uniform(0.0, 0.3))
    maybe = [(_entry(title_docs, [rnd.choice([1.0, 2.5]) for _ in title_docs]), 1.5)]
    if rnd.random() < 0.3:
        more = some(0.5)
        maybe.append((_entry(more, [rnd.random() for _ in more]), 1.0))
    if rnd.random() < 0.3:
        maybe = []
    groups = [[_entry(some(0.4)), _entry(some(0.3))]] if rnd.random() < 0.5 else []
    banned = [_entry(some(0.1))] if rnd.random() < 0.5 else []
    limit = rnd.choice([1, 3, 10, 50])
    identity = ((f"test-{seed}", 0),)
    postings._cache.start(identity)
    return identity, size, must, maybe, groups, banned, limit


def _best_first(seed):
    identity, _size, must, maybe, groups, banned, limit = _case(seed)
    return postings._top(identity, must, maybe, groups, banned, limit)


def _everything(seed):
    identity, size, must, maybe, groups, banned, limit = _case(seed)
    found = postings._walk(identity, must)
    if maybe and found:
        postings._add_maybe(identity, size, found, maybe)
    found = postings._filter(found, groups, banned)
    best = sorted(((s, -d) for d, s in found.items()), reverse=True)[:limit]
    return len(found), [(-nd, s) for s, nd in best]
