"""Whoosh's W3 codec, with posting blocks that decode in C.

Whoosh writes a block of up to 128 postings as one pickled tuple: the
document numbers (as deltas), the weights, and each posting's value (a word's
positions, for phrases) — a Python int, float and bytes object per posting, so
reading a common word's list spends most of its time in ``pickle.loads``
making them. Here each part is one ``bytes`` string of packed machine values
(``array``), which unpickle as three strings and unpack in C: a block of a
common word decodes several times faster, for the cached plain-word path
(``postings._segment_postings``) and for Whoosh's own matchers alike.

Everything else (terms, term infos, block headers, lengths, stored fields) is
Whoosh's format. Segments name this codec, so reading an index needs it;
``backend.SCHEMA_VERSION`` changes with the format, and an index written with
another one is rebuilt.
"""

import secrets
from array import array
from itertools import accumulate
from operator import sub

from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher, W3PostingsWriter, W3Segment


def _packed(typecode: str, data: bytes) -> array:
    values = array(typecode)
    values.frombytes(data)
    return values


def doc_numbers(data) -> list[int]:
    """A block's document numbers, from its packed deltas."""
    return list(accumulate(_packed("I", data)))


def weights(data, count: int):
    """A block's weights: None (all 1.0), one float (all the same) or packed."""
    if data is None:
        return array("d", [1.0]) * count
    if isinstance(data, float):
        return array("d", [data]) * count
    return _packed("d", data)


class Codec(W3Codec):
    """Whoosh's W3 codec with packed posting blocks; a new segment's name
    comes from ``secrets`` (Whoosh draws it from the global ``random``, which
    anything in the process may reseed: Hypothesis does, before every example,
    and two writers given the same name fail half-way through the second
    commit)."""

    def new_segment(self, storage, indexname):
        return W3Segment(self, indexname, segid=secrets.token_hex(8))

    def postings_writer(self, dbfile, byteids=False):
        return PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():  # a single posting, kept in the term info
            return super().postings_reader(
                dbfile, terminfo, format_, term=term, scorer=scorer
            )
        offset, length = terminfo.extent()
        return LeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class PostingsWriter(W3PostingsWriter):
    """Writes a block's parts as packed strings (term vectors, whose ids are
    words, stay as Whoosh writes them)."""

    def _mini_ids(self):
        if self._byteids:
            return super()._mini_ids()
        ids = self._ids
        return array("I", map(sub, ids, [0, *ids[:-1]])).tobytes()

    def _mini_weights(self):
        found = super()._mini_weights()
        if isinstance(found, tuple):
            return array("d", found).tobytes()
        return found

    def _mini_values(self):
        size = self._format.fixed_value_size()
        if size is not None and size >= 0:
            return super()._mini_values()
        values = self._values
        return b"".join(values), array("I", map(len, values)).tobytes()


class LeafMatcher(W3LeafMatcher):
    """Reads the blocks ``PostingsWriter`` writes."""

    def _read_ids(self):
        if self._byteids:
            return super()._read_ids()
        if self._data is None:
            self._read_data()
        self._ids = doc_numbers(self._data[0])

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        self._weights = weights(self._data[1], self._blocklength)

    def _read_values(self):
        size = self._fixedsize
        if size is not None and size >= 0:
            return super()._read_values()
        if self._data is None:
            self._read_data()
        joined, lengths = self._data[2]
        ends = list(accumulate(_packed("I", lengths)))
        self._values = tuple(map(joined.__getitem__, map(slice, [0, *ends], ends)))
