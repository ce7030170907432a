"""The portal's codec packs each posting block's parts (``search/codec.py``).
An index written with it must read back exactly as Whoosh's own codec writes
it: every term's documents, weights and positions, across many blocks, and
every kind of query Whoosh answers from them."""

import random

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.qparser import QueryParser

from portal.search import postings
from portal.search.backend import make_schema
from portal.search.codec import Codec, LeafMatcher

WORDS = [
    "printer",
    "driver",
    "update",
    "contoso",
    "invoice",
    "renewal",
    "打印机",
    "驱动",
    "续约",
    "合同",
]


def _docs(count: int) -> list[dict]:
    rng = random.Random(7)
    docs = []
    for n in range(count):
        # Common words in most documents (many blocks each), rare ones in few,
        # repeated words (weights other than 1) and one-posting terms.
        body = [rng.choice(WORDS[:4]) for _ in range(rng.randint(1, 30))]
        body += rng.sample(WORDS[4:], rng.randint(0, 3))
        body.append(f"only{n}")
        docs.append(
            {
                "key": f"thread:{n}",
                "kind": "thread",
                "title": " ".join(rng.sample(WORDS, 2)),
                "content": " ".join(body),
                "spell": " ".join(rng.sample(WORDS, 3)),
            }
        )
    return docs


@pytest.fixture(scope="module")
def readers(tmp_path_factory):
    docs = _docs(700)
    made = {}
    for name, codec in (("ours", Codec()), ("whoosh", W3Codec())):
        path = tmp_path_factory.mktemp(name)
        ix = whoosh_index.create_in(str(path), make_schema())
        writer = ix.writer(codec=codec)
        for doc in docs:
            writer.add_document(**doc)
        writer.commit()
        writer = ix.writer(codec=codec)  # a second segment, and deletions
        writer.delete_by_term("key", "thread:3")
        writer.add_document(**docs[3])
        writer.commit()
        made[name] = ix.searcher()
    yield made
    for searcher in made.values():
        searcher.close()


def test_every_term_reads_back_as_whoosh_wrote_it(readers):
    ours, theirs = readers["ours"].reader(), readers["whoosh"].reader()
    terms = list(theirs.all_terms())
    assert list(ours.all_terms()) == terms
    many_blocks = 0
    for field, text in terms:
        mine, whooshs = ours.postings(field, text), theirs.postings(field, text)
        if whooshs.supports("positions"):
            assert list(mine.items_as("positions")) == list(
                whooshs.items_as("positions")
            )
        else:
            assert list(mine.items_as("weight")) == list(whooshs.items_as("weight"))
        many_blocks += ours.doc_frequency(field, text) > 128
    assert many_blocks >= 4


def test_the_cached_path_reads_the_packed_blocks(readers):
    mine, whooshs = readers["ours"], readers["whoosh"]
    for text in ("printer", "driver", "打印机", "only5"):
        for leaf, _ in mine.reader().leaf_readers():
            if ("content", text) not in leaf:
                continue
            ids, weights = postings._segment_postings(leaf, "content", text)
            expected = leaf.postings("content", text)
            expected.reset()
            pairs = []
            while expected.is_active():
                pairs.append((expected.id(), expected.weight()))
                expected.next()
            # Deleted documents included; the cache drops them later (_live).
            live = [
                p for p in zip(ids, weights, strict=True) if not leaf.is_deleted(p[0])
            ]
            assert live == pairs
    assert whooshs.doc_count() == mine.doc_count() == 700
    matcher = mine.reader().leaf_readers()[0][0].postings("content", "printer")
    assert type(matcher.child) is LeafMatcher  # (under the deletions' filter)


@pytest.mark.parametrize(
    "text",
    [
        "printer driver",
        '"printer driver"',
        "printer OR renewal",
        "printer NOT update",
        '"打印机 驱动"',
        "invoice AND contoso",
    ],
)
def test_whoosh_answers_the_same_from_either_codec(readers, text):
    found = {}
    for name, searcher in readers.items():
        q = QueryParser("content", searcher.schema).parse(text)
        hits = searcher.search(q, limit=None)
        found[name] = [(hit.docnum, round(hit.score, 9)) for hit in hits]
    assert found["ours"] == found["whoosh"]
    assert found["ours"]
