"""One analyzer for Chinese and English text.

Chinese runs are segmented into words by jieba (search mode: "知识管理" also
yields "知识" and "管理"), everything else is split into words, lower-cased and,
for English, stemmed ("management" and "manage" meet at "manag"). Positions are
numbered 0, 1, 2 … so that phrase queries work (jieba's own Whoosh tokenizer
uses character offsets as positions); character offsets are kept for
highlighting.

``init_jieba(folder)`` points jieba's dictionary cache at the instance folder
and loads the dictionary (about 0.6 s, once per process), so the first search
does not pay for it. The dictionary ships in the jieba package: nothing is
fetched from the network.
"""

import logging
import re
import threading
from pathlib import Path

import jieba
from whoosh.analysis import (
    LowercaseFilter,
    StemFilter,
    StopFilter,
    Token,
    Tokenizer,
)

# CJK Unified Ideographs and extension A: the characters jieba segments.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_WORDS = re.compile(rf"([{_CJK}]+)|([^\W{_CJK}]+(?:[.'][^\W{_CJK}]+)*)")

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "if",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "with",
        "的",
        "了",
        "和",
        "与",
        "是",
        "在",
        "及",
    ]
)

_lock = threading.Lock()


def init_jieba(cache_dir: str | Path | None = None) -> None:
    """Load jieba's dictionary, keeping its cache in ``cache_dir`` (once)."""
    with _lock:
        if jieba.dt.initialized:
            return
        jieba.setLogLevel(logging.INFO)
        if cache_dir is not None:
            Path(cache_dir).mkdir(parents=True, exist_ok=True)
            jieba.dt.tmp_dir = str(cache_dir)
        jieba.initialize()


class MixedTokenizer(Tokenizer):
    """Split Chinese with jieba and other text on word boundaries."""

    def __eq__(self, other):
        return other is not None and other.__class__ is self.__class__

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        if not jieba.dt.initialized:
            init_jieba()
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for match in _WORDS.finditer(value):
            if match.group(1):
                base = match.start(1)
                pieces = jieba.dt.tokenize(match.group(1), mode="search")
            else:
                base = 0
                pieces = ((match.group(2), match.start(2), match.end(2)),)
            for word, start, end in pieces:
                token.text = word
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = word
                if positions:
                    token.pos = pos
                    pos += 1
                if chars:
                    token.startchar = start_char + base + start
                    token.endchar = start_char + base + end
                yield token


def text_analyzer():
    """The analyzer of searchable text: segmented, lower-cased, stemmed."""
    return (
        MixedTokenizer()
        | LowercaseFilter()
        | StopFilter(stoplist=STOP_WORDS, minsize=1)
        | StemFilter(ignore=None, cachesize=50000)
    )


def word_analyzer():
    """The analyzer of the spelling field: whole words, so suggestions read well."""
    return MixedTokenizer() | LowercaseFilter() | StopFilter(stoplist=STOP_WORDS)
