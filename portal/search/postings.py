"""Searches for plain words, answered from cached posting lists.

What people type is mostly a few plain words, all required. Whoosh answers such
a query by walking the posting list of every word one document at a time, in
Python (intersect, score, then walk again to count the matches): about 10 µs
per matching document, so a common word in a large index costs 100 ms and
more. Here each term's posting list is read once into two arrays, document
numbers and BM25 scores (computed by the searcher's own weighting, so the
scores and the order are Whoosh's), and kept while the index is unchanged. A
query then intersects the arrays by binary search, adds the scores, takes the
best with a heap and counts the matches exactly.

Only conjunctions of plain terms, with filters that are terms or any-of-terms,
take this path (``plan``); phrases, wildcards, OR and NOT, date ranges and
sorting by date go through Whoosh's collectors as before.

The cache is per process, shared by threads, and bounded by the number of
postings it holds; any change to the index (a new segment, a deletion) starts
it afresh, except field lengths, which belong to a segment and never change.
"""

import heapq
import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass
from itertools import accumulate
from operator import neg

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25FScorer, WeightLengthScorer

# About 12 bytes each: 3 million postings are ~36 MB per process.
MAX_CACHED_POSTINGS = 3_000_000


@dataclass
class Plan:
    """What a plain-word query needs: all of ``must``, scored; ``maybe`` adds
    its score where all of its terms match too; each group of ``required``
    must match one of its terms; no term of ``excluded`` may match."""

    must: list  # [(field, text, boost)]
    maybe: list  # [(field, text, boost)]
    required: list  # [[(field, text)]]
    excluded: list  # [(field, text)]


def _all_terms(q) -> list | None:
    """Return ``[(field, text, boost)]`` when ``q`` requires each of some terms."""
    if type(q) is wq.Term:
        return [(q.fieldname, q.text, q.boost)]
    if type(q) is wq.And and q.boost == 1.0:
        found = []
        for child in q.subqueries:
            terms = _all_terms(child)
            if terms is None:
                return None
            found.extend(terms)
        return found
    return None


def _any_term(q) -> list | None:
    """Return ``[(field, text)]`` when ``q`` matches any of some terms."""
    if type(q) is wq.Term:
        return [(q.fieldname, q.text)]
    if type(q) is wq.Or and all(type(child) is wq.Term for child in q.subqueries):
        return [(child.fieldname, child.text) for child in q.subqueries]
    return None


def plan(q, maybe, parts, excluded) -> Plan | None:
    """Return a ``Plan`` for ``q`` (and the optional ``maybe`` query, filter
    ``parts`` and ``excluded`` query), or None when Whoosh must run it."""
    must = _all_terms(q)
    if not must:
        return None
    maybe_terms = []
    if maybe is not None and not isinstance(maybe, wq.qcore._NullQuery):
        maybe_terms = _all_terms(maybe)
        if maybe_terms is None:
            return None
    required = []
    for part in parts:
        terms = _any_term(part)
        if terms is None:
            return None
        required.append(terms)
    excluded_terms = []
    if excluded is not None:
        excluded_terms = _any_term(excluded)
        if excluded_terms is None:
            return None
    return Plan(must, maybe_terms, required, excluded_terms)


# --- the cache ------------------------------------------------------------------


class _Cache:
    def __init__(self):
        self.lock = threading.Lock()
        self.identity = None
        self.entries = OrderedDict()  # (field, text, scored) -> (docs, scores)
        self.size = 0
        self.lengths = {}  # (segment id, field) -> array of field lengths
        self.extra = {}  # per index state: (what, segment id, field) -> list

    def start(self, identity) -> None:
        """Forget every posting list if the index is not the one cached."""
        with self.lock:
            if identity == self.identity:
                return
            self.identity = identity
            self.entries.clear()
            self.extra.clear()
            self.size = 0
            segments = {segid for segid, _ in identity}
            self.lengths = {k: v for k, v in self.lengths.items() if k[0] in segments}

    def get(self, identity, key):
        with self.lock:
            if identity != self.identity:
                return None  # another thread moved on to a newer index
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, identity, key, entry) -> None:
        with self.lock:
            if identity != self.identity or key in self.entries:
                return
            self.entries[key] = entry
            self.size += len(entry[0])
            while self.size > MAX_CACHED_POSTINGS and len(self.entries) > 1:
                _, (docs, _) = self.entries.popitem(last=False)
                self.size -= len(docs)


_cache = _Cache()


def _leaves(searcher):
    return searcher.reader().leaf_readers()


def _identity(searcher) -> tuple:
    return tuple(
        (leaf.segment().segment_id(), leaf.segment().deleted_count())
        for leaf, _ in _leaves(searcher)
    )


def _lengths(leaf, field: str) -> array:
    key = (leaf.segment().segment_id(), field)
    found = _cache.lengths.get(key)
    if found is None:
        found = array(
            "i",
            (leaf.doc_field_length(d, field, 1) for d in range(leaf.doc_count_all())),
        )
        with _cache.lock:
            _cache.lengths[key] = found
    return found


def _postings(searcher, identity, field: str, text: str, scored: bool):
    """Return ``(docs, scores)`` of a term: sorted global document numbers and,
    if ``scored``, their BM25 scores (else ``scores`` is None)."""
    key = (field, text, scored)
    entry = _cache.get(identity, key)
    if entry is not None:
        return entry
    docs = array("i")
    scores = array("d") if scored else None
    if (field, text) in searcher.reader():
        scorer = searcher.weighting.scorer(searcher, field, text) if scored else None
        if scored and not isinstance(scorer, WeightLengthScorer):
            raise TypeError(f"{field} is not scored by weight and length")
        for leaf, offset in _leaves(searcher):
            if (field, text) not in leaf:
                continue
            lengths = _lengths(leaf, field) if scored else None
            for ids, weights in _blocks(leaf, field, text):
                docs.extend([d + offset for d in ids] if offset else ids)
                if scored:
                    scores.extend(_scores(scorer, leaf, field, ids, weights, lengths))
    entry = (docs, scores)
    _cache.put(identity, key, entry)
    return entry


def _blocks(leaf, field: str, text: str):
    """Yield ``(ids, weights)`` of a term's live postings in a segment.

    A block (up to 128 postings) at a time, decoded here from the block data
    of the pinned Whoosh-Reloaded's ``W3LeafMatcher`` (document numbers are
    stored as deltas: ``accumulate`` sums them in C, where Whoosh's reader
    runs a generator per posting); other matchers go one posting at a time.
    """
    m = leaf.postings(field, text)
    raw = m.child if isinstance(m, FilterMatcher) else m
    if type(raw) is not W3LeafMatcher or raw._byteids:
        ids, weights = [], []
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            m.next()
        yield ids, weights
        return
    deleted = set(leaf.segment().deleted_docs()) if leaf.has_deletions() else None
    raw.reset()  # the deletion filter may have moved it past deleted documents
    while raw.is_active():
        if raw._data is None:
            raw._read_data()
        data = raw._data
        ids = list(accumulate(data[0]))
        weights = data[1]
        if weights is None:
            weights = _ONES[: len(ids)] if len(ids) <= _BLOCK else [1.0] * len(ids)
        elif isinstance(weights, float):
            weights = [weights] * len(ids)
        if deleted and not deleted.isdisjoint(ids):
            live = [i for i, d in enumerate(ids) if d not in deleted]
            ids = [ids[i] for i in live]
            weights = [weights[i] for i in live]
        yield ids, weights
        raw._next_block()


_BLOCK = 128
_ONES = [1.0] * _BLOCK


def _norms(scorer, leaf, field: str, lengths: array) -> list:
    """Per document of a segment, the length part of BM25's denominator.

    ``K1 * ((1 - B) + B * length / avgfl)``: the same operations in the same
    order as ``whoosh.scoring.bm25``, so the scores are the same floats. It
    depends on the index's average field length, so it is kept per index
    state, with the posting lists.
    """
    key = ("norms", leaf.segment().segment_id(), field)
    found = _cache.extra.get(key)
    if found is None:
        avgfl, B, K1 = scorer.avgfl, scorer.B, scorer.K1
        found = [K1 * ((1 - B) + B * fl / avgfl) for fl in lengths]
        with _cache.lock:
            _cache.extra[key] = found
    return found


def _scores(scorer, leaf, field, ids, weights, lengths):
    if type(scorer) is BM25FScorer:
        # whoosh.scoring.bm25, inlined: the same arithmetic, so the same floats.
        norms = _norms(scorer, leaf, field, lengths)
        idf, K1 = scorer.idf, scorer.K1
        return [
            idf * ((tf * (K1 + 1)) / (tf + norms[d]))
            for d, tf in zip(ids, weights, strict=True)
        ]
    score = scorer._score  # the weighting's own formula
    return [score(tf, lengths[d]) for d, tf in zip(ids, weights, strict=True)]


def _contains(docs: array, d: int) -> bool:
    i = bisect_left(docs, d)
    return i < len(docs) and docs[i] == d


def _common(found: dict, docs: array):
    """The documents of ``docs`` that are keys of ``found``: a set operation in
    C when the list is not much longer than ``found``, else a binary search per
    key."""
    if len(docs) <= 8 * len(found):
        return found.keys() & docs
    return [d for d in found if _contains(docs, d)]


def _conjunction(searcher, identity, terms) -> dict[int, float]:
    """Return ``{docnum: score}`` of the documents that contain every term."""
    lists = []
    for field, text, boost in terms:
        docs, scores = _postings(searcher, identity, field, text, True)
        if not docs:
            return {}
        lists.append((docs, scores, boost))
    lists.sort(key=lambda entry: len(entry[0]))
    docs0, scores0, boost0 = lists[0]
    rest = lists[1:]
    if not rest and boost0 == 1.0:
        return dict(zip(docs0, scores0, strict=True))
    found = {}
    for i, d in enumerate(docs0):
        total = scores0[i] * boost0
        for docs, scores, boost in rest:
            j = bisect_left(docs, d)
            if j == len(docs) or docs[j] != d:
                break
            total += scores[j] * boost
        else:
            found[d] = total
    return found


def search(searcher, p: Plan, limit: int) -> tuple[int, list[tuple[int, float]]]:
    """Run ``p``; return the number of matches and the best ``limit`` of them
    as ``(docnum, score)``, best first (equal scores: lower docnum first, as
    Whoosh orders them)."""
    identity = _identity(searcher)
    _cache.start(identity)
    found = _conjunction(searcher, identity, p.must)
    if found and p.maybe:
        for d, score in _conjunction(searcher, identity, p.maybe).items():
            if d in found:
                found[d] += score
    checks = [
        [_postings(searcher, identity, f, t, False)[0] for f, t in group]
        for group in p.required
    ]
    banned = [_postings(searcher, identity, f, t, False)[0] for f, t in p.excluded]
    for docs in banned:
        if found:
            for d in _common(found, docs):
                del found[d]
    for group in checks:
        if found:
            kept = set()
            for docs in group:
                kept.update(_common(found, docs))
            found = {d: found[d] for d in kept}
    # (score, -docnum) tuples compare in C: no key function per match.
    best = heapq.nlargest(limit, zip(found.values(), map(neg, found), strict=True))
    return len(found), [(-negdoc, score) for score, negdoc in best]
