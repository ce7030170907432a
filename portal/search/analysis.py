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
from whoosh.analysis import Analyzer, Token
from whoosh.lang.porter import stem as porter_stem

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


# Memos shared by every analyzer of the process. Each is cleared when full, so
# the memory they take stays bounded (a few MB at most).
_MAX_TERMS = 200_000
_MAX_RUNS = 2_000
_runs: dict[str, tuple] = {}  # a run of Chinese text -> jieba's words in it


def _segment(run: str) -> tuple:
    """jieba's words of a run of Chinese text, search mode: ``(word, start, end)``.

    Remembered: a title is analysed for three fields, and short runs recur.
    """
    found = _runs.get(run)
    if found is None:
        found = tuple(jieba.dt.tokenize(run, mode="search"))
        if len(_runs) >= _MAX_RUNS:
            _runs.clear()
        _runs[run] = found
    return found


def _pieces(value: str):
    """Yield ``(word, start, end)`` for every word of ``value``, as written."""
    for match in _WORDS.finditer(value):
        run = match.group(1)
        if run:
            base = match.start(1)
            for word, start, end in _segment(run):
                yield word, base + start, base + end
        else:
            yield match.group(2), match.start(2), match.end(2)


class MixedAnalyzer(Analyzer):
    """Chinese and English words, lower-cased, stop words removed, optionally stemmed.

    One loop instead of Whoosh's chain of a tokenizer and three filters (which
    gives the same tokens, positions and offsets: stop words are dropped and
    the positions after them renumbered, as ``StopFilter`` does), and what a
    word becomes (lower-cased, stemmed, or stopped) is remembered per word.
    ``positions_of`` gives the index what it needs without ``Token`` objects.
    """

    def __init__(self, stem: bool = True, minsize: int = 1):
        self.stem = stem
        self.minsize = minsize

    def __getstate__(self):
        return {"stem": self.stem, "minsize": self.minsize}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def _terms(self) -> dict:
        # Per (stem, minsize): the memo of word -> term ("" for a stop word).
        return _term_memos.setdefault((self.stem, self.minsize), {})

    def term(self, word: str) -> str:
        """What ``word`` (as written) is indexed as; "" for a stop word."""
        memo = self._terms()
        found = memo.get(word)
        if found is None:
            text = word.lower()
            if len(text) < self.minsize or text in STOP_WORDS:
                found = ""
            else:
                found = _stem(text) if self.stem else text
            if len(memo) >= _MAX_TERMS:
                memo.clear()
            memo[word] = found
        return found

    def positions_of(self, value: str) -> dict[str, list[int]]:
        """``{term: [positions]}`` of ``value``, numbered as the token stream
        numbers them (the first word kept has its own position, the words
        after it follow on, as ``StopFilter`` renumbers them)."""
        if not jieba.dt.initialized:
            init_jieba()
        memo = self._terms()
        poses: dict[str, list[int]] = {}
        pos = None
        for raw_pos, (word, _, _) in enumerate(_pieces(value)):
            found = memo.get(word)
            if found is None:
                found = self.term(word)
            if not found:
                continue
            pos = raw_pos if pos is None else pos + 1
            known = poses.get(found)
            if known is None:
                poses[found] = [pos]
            else:
                known.append(pos)
        return poses

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
        pos = None  # the position of the last word kept
        for raw_pos, (word, start, end) in enumerate(_pieces(value), start_pos):
            found = self.term(word)
            token.boost = 1.0
            if keeporiginal:
                token.original = word
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            if found:
                token.text = found
                token.stopped = False
                if positions:
                    pos = raw_pos if pos is None else pos + 1
                    token.pos = pos
                yield token
            elif not removestops:
                token.text = word.lower()
                token.stopped = True
                if positions:
                    token.pos = raw_pos
                yield token


_term_memos: dict[tuple, dict] = {}


def _stem(text: str) -> str:
    return porter_stem(text)


def text_analyzer():
    """The analyzer of searchable text: segmented, lower-cased, stemmed."""
    return MixedAnalyzer(stem=True, minsize=1)


def word_analyzer():
    """The analyzer of the spelling field: whole words, so suggestions read well."""
    return MixedAnalyzer(stem=False, minsize=2)
