"""Searches for plain words, answered from cached posting lists.

What people type is mostly a few plain words, all required. Whoosh answers such
a query by walking the posting list of every word one document at a time, in
Python (intersect, score, then walk again to count the matches): about 10 µs
per matching document, so a common word in a large index costs 100 ms and
more. Here each term's posting list is read once into two arrays, document
numbers and BM25 scores (computed by the searcher's own weighting, so the
scores and the order are Whoosh's), and kept while the index is unchanged. A
query whose rarest word is rare walks that word's documents and finds each in
the other lists by binary search; when every word is common (in an eighth of
the documents or more), the lists are intersected as bitmaps (Python ints:
``&`` runs in C a machine word at a time) and only the documents left are
scored, a common word's scores read from an array indexed by document. Either
way the best are taken with a heap and the matches counted exactly.

Only conjunctions of plain terms, with filters that are terms or any-of-terms,
take this path (``plan``); phrases, wildcards, OR and NOT, date ranges and
sorting by date go through Whoosh's collectors as before.

The cache is per process, shared by threads, and bounded by the bytes it holds
(``MAX_CACHED_BYTES``); any change to the index (a new segment, a deletion)
starts it afresh, except field lengths, which belong to a segment and never
change.
"""

import heapq
import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict, deque
from dataclasses import dataclass
from itertools import compress, count, repeat
from operator import add, mul, neg, not_

from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25FScorer, WeightLengthScorer

from portal.lru import LRU
from portal.search import codec
from portal.search.codec import LeafMatcher

# Per process: 12 bytes a posting, an eighth of a byte per document of the
# index for a bitmap, 8 bytes per document for a common term's dense scores.
MAX_CACHED_BYTES = 64 * 2**20
# Decoded postings per segment, kept across writes (12 bytes a posting).
MAX_SEGMENT_BYTES = 32 * 2**20
# A query whose rarest word is in fewer than 1/BITMAP_SHARE of the documents
# walks that word's documents; otherwise it intersects bitmaps.
BITMAP_SHARE = 8
# A word in at least 1/DENSE_SHARE of the documents keeps its scores in an
# array indexed by document (a lookup instead of a binary search).
DENSE_SHARE = 4
# Several common words are read best first too when the documents that have
# all of them are at least 1/TOP_COMMON_SHARE of the first word's.
TOP_COMMON_SHARE = 4
# A query that needs the scores of at least 1/SCORE_ALL_SHARE of a list's
# documents works out all of them (kept for the next query); fewer are worked
# out alone.
SCORE_ALL_SHARE = 4
# A one-word query whose word is in at least TOP_MIN documents reads them best
# first and stops once no later one can make the page: the same results, order
# and total as scoring them all, in time that grows with the page, not with
# the word's documents (at size M a common word is in 20,000 of them). So do
# several such words with many documents in common (TOP_COMMON_SHARE).
TOP_MIN = 1000


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


class _Entry:
    """A term's live postings: sorted global document numbers and, if scored,
    their frequencies (``tfs``) and the term's ``rate`` of them. Made when a
    query first needs them: every document's score (``scores``; a query that
    needs a few documents' scores works those out alone), the documents as a
    bitmap (an int with bit ``d`` set for document ``d``) and, for a common
    term, the scores in an array indexed by document."""

    __slots__ = (
        "key",
        "docs",
        "tfs",
        "rate",
        "scores",
        "bits",
        "dense",
        "order",
        "nbytes",
    )

    def __init__(self, key, docs: array, *, tfs: array | None = None, rate=None):
        self.key, self.docs, self.tfs, self.rate = key, docs, tfs, rate
        self.scores = self.bits = self.dense = self.order = None
        self.nbytes = len(docs) * (docs.itemsize + (tfs.itemsize if tfs else 0))


class _Cache:
    def __init__(self):
        self.lock = threading.Lock()
        self.identity = None
        self.entries = OrderedDict()  # (field, text, scored) -> _Entry
        self.size = 0  # bytes held by the entries
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
        _segments.discard(lambda key: key[0] not in segments)

    def get(self, identity, key) -> "_Entry | None":
        with self.lock:
            if identity != self.identity:
                return None  # another thread moved on to a newer index
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, identity, entry: _Entry) -> None:
        with self.lock:
            if identity != self.identity or entry.key in self.entries:
                return
            self.entries[entry.key] = entry
            self.size += entry.nbytes
            self._evict()

    def attach(self, identity, entry: _Entry, name: str, value) -> None:
        """Keep ``value`` as the entry's ``bits``, ``dense`` or ``order``, and
        count it."""
        with self.lock:
            if getattr(entry, name) is not None:
                return
            setattr(entry, name, value)
            if name == "bits":
                nbytes = value.bit_length() // 8
            else:
                nbytes = len(value) * value.itemsize
            entry.nbytes += nbytes
            if identity == self.identity and self.entries.get(entry.key) is entry:
                self.size += nbytes
                self._evict()

    def _evict(self) -> None:
        while self.size > MAX_CACHED_BYTES and len(self.entries) > 1:
            _, entry = self.entries.popitem(last=False)
            self.size -= entry.nbytes


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


def _postings(searcher, identity, field: str, text: str, scored: bool) -> _Entry:
    """Return a term's ``_Entry``: its sorted global document numbers and, if
    ``scored``, their frequencies and the term's rate (else None)."""
    key = (field, text, scored)
    entry = _cache.get(identity, key)
    if entry is not None:
        return entry
    docs = array("i")
    tfs = array("d") if scored else None
    rate = None
    if (field, text) in searcher.reader():
        if scored:
            rate = _rate(searcher, identity, field, text)
        for leaf, offset in _leaves(searcher):
            if (field, text) not in leaf:
                continue
            ids, weights = _live(leaf, *_segment_postings(leaf, field, text))
            docs.extend(map(add, ids, repeat(offset)) if offset else ids)
            if scored:
                tfs.extend(weights)
    entry = _Entry(key, docs, tfs=tfs, rate=rate)
    _cache.put(identity, entry)
    return entry


def _live(leaf, ids: array, weights: array) -> tuple[array, array]:
    """The postings of documents not deleted from the segment."""
    if not leaf.has_deletions():
        return ids, weights
    deleted = _cache.extra.get(("deleted", leaf.segment().segment_id()))
    if deleted is None:
        deleted = frozenset(leaf.segment().deleted_docs())
        with _cache.lock:
            _cache.extra[("deleted", leaf.segment().segment_id())] = deleted
    if deleted.isdisjoint(ids):
        return ids, weights
    keep = list(map(not_, map(deleted.__contains__, ids)))
    return array("i", compress(ids, keep)), array("d", compress(weights, keep))


def _nbytes(value) -> int:
    ids, weights = value
    return len(ids) * (ids.itemsize + weights.itemsize)


# Decoded postings per segment, deleted documents included:
# (segment id, field, text) -> (ids, weights). A segment's postings never
# change, so they outlive the index states (a write adds a segment or deletes
# documents; the big segments stay): after a write a common word costs a
# rescoring, not a second decoding.
_segments = LRU(MAX_SEGMENT_BYTES, weigh=_nbytes)


def _segment_postings(leaf, field: str, text: str) -> tuple[array, array]:
    """Return ``(ids, weights)`` of a term's postings in a segment (segment
    document numbers, deleted documents included).

    Decoded here from the packed block data of our codec's ``LeafMatcher``
    (``portal/search/codec.py``), a block (up to 128 postings) at a time, in
    C; other matchers (a single posting kept in its term info) go one posting
    at a time.
    """
    key = (leaf.segment().segment_id(), field, text)
    found = _segments.get(key)
    if found is not None:
        return found
    ids, weights = array("i"), array("d")
    m = leaf.postings(field, text)
    raw = m.child if isinstance(m, FilterMatcher) else m
    raw.reset()  # the deletion filter may have moved it past deleted documents
    if type(raw) is not LeafMatcher or raw._byteids:
        while raw.is_active():
            ids.append(raw.id())
            weights.append(raw.weight())
            raw.next()
    else:
        while raw.is_active():
            if raw._data is None:
                raw._read_data()
            data = raw._data
            ids.extend(codec.doc_numbers(data[0]))
            weights.extend(codec.weights(data[1], raw._blocklength))
            raw._next_block()
    found = (ids, weights)
    _segments.put(key, found)
    return found


def _per_document(searcher, identity, what: str, field: str, make) -> list:
    """``make(lengths)`` of each segment's field lengths, in one list indexed
    by global document number, kept per index state."""
    key = (what, field)
    found = _cache.extra.get(key)
    if found is None:
        found = []
        for leaf, _ in _leaves(searcher):
            found.extend(make(_lengths(leaf, field)))
        with _cache.lock:
            if _cache.identity == identity:
                _cache.extra[key] = found
    return found


class _BM25:
    """A term's BM25 score of a posting: ``whoosh.scoring.bm25``, inlined, with
    the same arithmetic in the same order, so the same floats."""

    __slots__ = ("idf", "K1", "norms")

    def __init__(self, idf: float, K1: float, norms: list):
        self.idf, self.K1, self.norms = idf, K1, norms

    def many(self, tfs, docs) -> list[float]:
        idf, K1, norms = self.idf, self.K1, self.norms
        return [
            idf * ((tf * (K1 + 1)) / (tf + norms[d]))
            for d, tf in zip(docs, tfs, strict=True)
        ]

    def one(self, tf: float, d: int) -> float:
        return self.idf * ((tf * (self.K1 + 1)) / (tf + self.norms[d]))


class _Formula:
    """Another weighting's score of a posting, by its own formula."""

    __slots__ = ("score", "lengths")

    def __init__(self, score, lengths: list):
        self.score, self.lengths = score, lengths

    def many(self, tfs, docs) -> list[float]:
        score, lengths = self.score, self.lengths
        return [score(tf, lengths[d]) for d, tf in zip(docs, tfs, strict=True)]

    def one(self, tf: float, d: int) -> float:
        return self.score(tf, self.lengths[d])


def _rate(searcher, identity, field: str, text: str):
    """How the searcher's weighting scores the term's postings."""
    scorer = searcher.weighting.scorer(searcher, field, text)
    if type(scorer) is BM25FScorer:
        # Per document, the length part of BM25's denominator,
        # ``K1 * ((1 - B) + B * length / avgfl)``; it depends on the index's
        # average field length, so it is kept per index state.
        avgfl, B, K1 = scorer.avgfl, scorer.B, scorer.K1
        norms = _per_document(
            searcher,
            identity,
            "norms",
            field,
            lambda lengths: [K1 * ((1 - B) + B * fl / avgfl) for fl in lengths],
        )
        return _BM25(scorer.idf, K1, norms)
    if not isinstance(scorer, WeightLengthScorer):
        raise TypeError(f"{field} is not scored by weight and length")
    lengths = _per_document(searcher, identity, "lengths", field, lambda ls: ls)
    return _Formula(scorer._score, lengths)


def _scores(identity, entry: _Entry) -> array:
    """Every document's score, in the entry's order (worked out once)."""
    if entry.scores is None:
        scores = array("d", entry.rate.many(entry.tfs, entry.docs))
        _cache.attach(identity, entry, "scores", scores)
    return entry.scores


def _score(entry: _Entry, j: int) -> float:
    """The score of the entry's ``j``th document."""
    if entry.scores is not None:
        return entry.scores[j]
    return entry.rate.one(entry.tfs[j], entry.docs[j])


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


def _scored(searcher, identity, terms) -> list | None:
    """Return ``[(entry, boost)]`` of ``terms``, shortest list first, or None
    when a term matches nothing."""
    lists = []
    for field, text, boost in terms:
        entry = _postings(searcher, identity, field, text, True)
        if not entry.docs:
            return None
        lists.append((entry, boost))
    lists.sort(key=lambda item: len(item[0].docs))
    return lists


def _walk(identity, must) -> dict[int, float]:
    """``{docnum: score}`` of the documents in every list, when the first
    (shortest) is short: walk it and find each document in the others by
    binary search. The first list's score times its boost, then each next
    one's added: the order Whoosh adds them in, so the same floats."""
    (entry0, boost0), rest = must[0], must[1:]
    scores0 = _scores(identity, entry0)
    if not rest:
        return dict(zip(entry0.docs, map(mul, scores0, repeat(boost0)), strict=True))
    found = {}
    for d, score in zip(entry0.docs, scores0, strict=True):
        total = score * boost0
        for entry, boost in rest:
            docs = entry.docs
            j = bisect_left(docs, d)
            if j == len(docs) or docs[j] != d:
                break
            total += _score(entry, j) * boost
        else:
            found[d] = total
    return found


def _bits(identity, entry: _Entry) -> int:
    if not entry.docs:
        return 0
    if entry.bits is None:
        docs = entry.docs
        digits = bytearray(b"0") * (docs[-1] + 1)
        deque(map(digits.__setitem__, docs, repeat(_ONE)), maxlen=0)
        digits.reverse()
        _cache.attach(identity, entry, "bits", int(digits, 2))
    return entry.bits


_ONE = ord("1")
_BIT_VALUES = bytes.maketrans(b"01", b"\x00\x01")


def _positions(bits: int) -> list[int]:
    """The document numbers whose bits are set, lowest first (in C: the binary
    digits, lowest first, select from 0, 1, 2, …)."""
    return list(compress(count(), bin(bits)[:1:-1].encode().translate(_BIT_VALUES)))


def _scores_at(identity, size: int, entry: _Entry, docs: list):
    """The entry's scores of ``docs`` (each one of its documents): worked out
    for those alone when they are few and the list's are not known yet, else
    read from all of the list's, worked out once."""
    if entry.scores is None and len(docs) * SCORE_ALL_SHARE < len(entry.docs):
        at = map(bisect_left, repeat(entry.docs), docs)
        return entry.rate.many(map(entry.tfs.__getitem__, at), docs)
    scores = _scores(identity, entry)
    if len(entry.docs) * DENSE_SHARE >= size:
        if entry.dense is None:
            dense = array("d", bytes(8 * (entry.docs[-1] + 1)))
            deque(map(dense.__setitem__, entry.docs, scores), maxlen=0)
            _cache.attach(identity, entry, "dense", dense)
        return map(entry.dense.__getitem__, docs)
    return map(scores.__getitem__, map(bisect_left, repeat(entry.docs), docs))


def _sum(identity, size: int, lists, docs: list) -> list[float]:
    """Each document's summed score, added in the order ``_walk`` adds them."""
    totals = None
    for entry, boost in lists:
        scores = _scores_at(identity, size, entry, docs)
        if boost != 1.0:
            scores = map(mul, scores, repeat(boost))
        totals = scores if totals is None else map(add, totals, scores)
    return list(totals)


def _intersect(identity, size: int, must) -> dict[int, float]:
    """``{docnum: score}`` of the documents in every list, when all are long:
    intersect them as bitmaps (``&`` on ints, in C a machine word at a time),
    then look up the scores of the documents left."""
    bits = _bits(identity, must[0][0])
    for entry, _ in must[1:]:
        bits &= _bits(identity, entry)
    docs = _positions(bits)
    return dict(zip(docs, _sum(identity, size, must, docs), strict=True))


def _add_maybe(identity, size: int, found: dict, maybe) -> None:
    """Add the optional terms' summed score to the documents that have all of
    them."""
    both = found.keys() & maybe[0][0].docs
    for entry, _ in maybe[1:]:
        if both:
            both.intersection_update(entry.docs)
    docs = sorted(both)
    for d, extra in zip(docs, _sum(identity, size, maybe, docs), strict=True):
        found[d] += extra


def _filter(found: dict, groups, banned) -> dict:
    """Drop what ``banned`` matches and what misses a term of each group."""
    for entry in banned:
        if found:
            for d in _common(found, entry.docs):
                del found[d]
    for group in groups:
        if found:
            kept = set()
            for entry in group:
                kept.update(_common(found, entry.docs))
            found = {d: found[d] for d in kept}
    return found


def _order(identity, entry: _Entry) -> array:
    """The positions of the entry's documents, best score first (equal
    scores: lower document first, as the stable sort keeps them)."""
    if entry.order is None:
        scores = _scores(identity, entry)
        order = sorted(range(len(entry.docs)), key=scores.__getitem__, reverse=True)
        _cache.attach(identity, entry, "order", array("i", order))
    return entry.order


def _has(entry: _Entry, d: int) -> int | None:
    """The position of ``d`` in the entry's documents, or None."""
    docs = entry.docs
    i = bisect_left(docs, d)
    return i if i < len(docs) and docs[i] == d else None


def _allowed(d: int, groups, banned) -> bool:
    return all(any(_contains(e.docs, d) for e in g) for g in groups) and not any(
        _contains(e.docs, d) for e in banned
    )


def _count(identity, must, groups, banned) -> int:
    """How many documents have every required term and pass the filters
    (bitmaps, in C)."""
    bits = _bits(identity, must[0][0])
    for entry, _ in must[1:]:
        bits &= _bits(identity, entry)
    for group in groups:
        either = 0
        for e in group:
            either |= _bits(identity, e)
        bits &= either
    for e in banned:
        bits &= ~_bits(identity, e)
    return bits.bit_count()


def _extra(maybe, d: int) -> float | None:
    """What the optional terms add to ``d``, summed as ``_sum`` sums them; None
    unless it has every one."""
    extra = None
    for entry, boost in maybe:
        j = _has(entry, d)
        if j is None:
            return None
        v = _score(entry, j)
        if boost != 1.0:
            v = v * boost
        extra = v if extra is None else extra + v
    return extra


def _top(identity, must, maybe, groups, banned, limit):
    """``search`` for required terms (``must``, the shortest list first) and
    optional ``maybe`` terms (the words in titles), reading only the best
    documents.

    First the first term's documents, best first, each scored with the other
    required terms and what the optional terms add, until the next cannot make
    the page without the optional terms, even with the best score of each
    other required term; then the documents of the first optional term not
    read yet, best first, until even the best required scores with theirs
    cannot. Scores are added as ``_walk`` and ``_add_maybe`` add them, so they
    are the same floats, and a bound is added the same way, so it is never
    below a score it bounds.
    """
    heap: list[tuple[float, int]] = []  # (score, -docnum), the page's worst first

    def offer(score: float, d: int) -> None:
        item = (score, -d)
        if len(heap) < limit:
            heapq.heappush(heap, item)
        elif item > heap[0]:
            heapq.heapreplace(heap, item)

    (entry0, boost0), rest = must[0], must[1:]
    # The most each other required term can add, boosted as _walk boosts it.
    rest_tops = [max(_scores(identity, e)) * b for e, b in rest]

    def required(d: int, score: float) -> float | None:
        """``d``'s summed score of the required terms (``score`` is the first
        one's), or None unless it has all of them."""
        for entry, boost in rest:
            j = _has(entry, d)
            if j is None:
                return None
            score += _score(entry, j) * boost
        return score

    docs0 = entry0.docs
    scores0 = _scores(identity, entry0)
    order0 = _order(identity, entry0) if limit > 0 else ()
    seen: set[int] = set()
    for i in order0:
        score = scores0[i] * boost0
        bound = score
        for top in rest_tops:
            bound += top
        if len(heap) == limit and bound < heap[0][0]:
            break  # every later one scores this or less, but for its titles
        d = docs0[i]
        seen.add(d)
        total = required(d, score)
        if total is None or not _allowed(d, groups, banned):
            continue
        extra = _extra(maybe, d) if maybe else None
        offer(total if extra is None else total + extra, d)
    if maybe and order0:
        best0 = scores0[order0[0]] * boost0
        for top in rest_tops:
            best0 += top
        (first, boost1), others = maybe[0], maybe[1:]
        # The most each other optional term can add, boosted as _sum boosts it.
        tops = []
        for e, b in others:
            top = max(_scores(identity, e))
            tops.append(top * b if b != 1.0 else top)
        first_scores = _scores(identity, first)
        for j in _order(identity, first):
            bound = first_scores[j]
            if boost1 != 1.0:
                bound = bound * boost1
            for top in tops:
                bound = bound + top
            if len(heap) == limit and best0 + bound < heap[0][0]:
                break
            d = first.docs[j]
            if d in seen or not _allowed(d, groups, banned):
                continue
            i = _has(entry0, d)
            total = required(d, scores0[i] * boost0) if i is not None else None
            extra = _extra(maybe, d) if total is not None else None
            if extra is not None:
                offer(total + extra, d)
    best = sorted(heap, reverse=True)
    return _count(identity, must, groups, banned), [(-nd, sc) for sc, nd in best]


def _best_first(identity, size: int, must, limit: int) -> bool:
    """Whether ``_top`` answers: every list is long (``TOP_MIN``), every boost
    positive, and with several terms, their documents in common are many (a
    page fills early; with few, walking the best of the first list would read
    most of it looking for them)."""
    entry0 = must[0][0]
    if len(entry0.docs) < TOP_MIN or any(boost <= 0 for _, boost in must):
        return False
    if len(must) == 1:
        return True
    if len(entry0.docs) * BITMAP_SHARE < size:
        return False
    common = _count(identity, must, [], [])
    return common * TOP_COMMON_SHARE >= len(entry0.docs) and common > limit


def search(searcher, p: Plan, limit: int) -> tuple[int, list[tuple[int, float]]]:
    """Run ``p``; return the number of matches and the best ``limit`` of them
    as ``(docnum, score)``, best first (equal scores: lower docnum first, as
    Whoosh orders them)."""
    identity = _identity(searcher)
    _cache.start(identity)
    must = _scored(searcher, identity, p.must)
    if must is None:
        return 0, []
    size = searcher.doc_count_all()
    groups = [
        [_postings(searcher, identity, f, t, False) for f, t in group]
        for group in p.required
    ]
    banned = [_postings(searcher, identity, f, t, False) for f, t in p.excluded]
    if _best_first(identity, size, must, limit):
        maybe = _scored(searcher, identity, p.maybe) if p.maybe else []
        if maybe is None:  # an optional term matches nothing: it adds nothing
            maybe = []
        return _top(identity, must, maybe, groups, banned, limit)
    if len(must) == 1 or len(must[0][0].docs) * BITMAP_SHARE < size:
        found = _walk(identity, must)
    else:
        found = _intersect(identity, size, must)
    maybe = _scored(searcher, identity, p.maybe) if found and p.maybe else None
    if maybe:
        _add_maybe(identity, size, found, maybe)
    found = _filter(found, groups, banned)
    # (score, -docnum) tuples compare in C: no key function per match.
    best = heapq.nlargest(limit, zip(found.values(), map(neg, found), strict=True))
    return len(found), [(-negdoc, score) for score, negdoc in best]
