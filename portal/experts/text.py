"""Text to terms for evidence retrieval: jieba segments Chinese, English is
lower-cased and stemmed, so "知识管理" matches inside a longer sentence and
"invoices" matches "invoice".

jieba cuts a text block by block (runs of Chinese, Latin letters and digits,
and what lies between them), each on its own, so the terms of a text are the
terms of its blocks in order. Blocks repeat (every English word is one), so
each block's terms are remembered: a rebuild segments each distinct block once
instead of every occurrence (about three times faster at the benchmark's size S).
"""

import logging
import re
from functools import cache, lru_cache

from whoosh.lang.porter import stem

_WORD = re.compile(r"\w", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff]")
_MAX_TERM = 64

# Words too common to say anything about a topic.
_STOPWORDS_TEXT = (
    "a an and are as at be but by can do does for from has have how i if in "
    "is it its me my no not of on or our so that the their them there they "
    "this to us was we what when where which who why will with you your "
    "的 了 是 在 和 与 及 或 我 你 他 她 它 们 我们 你们 他们 这 那 这个 那个 "
    "有 也 就 都 而 要 会 吗 呢 吧 啊 怎么 如何 什么 为什么 一个 没有 可以 请问"
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


@cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.INFO)
    return jieba


def init(tmp_dir: str | None = None) -> None:
    """Load the dictionary now (about half a second), not on the first query."""
    jieba = _jieba()
    if tmp_dir:
        jieba.dt.tmp_dir = tmp_dir
    jieba.initialize()


def terms(text: str) -> list[str]:
    """Return the terms of ``text``, in order, repeats kept."""
    if not text:
        return []
    out = []
    for block in _jieba().re_han_default.split(text.lower()):
        if block:
            out.extend(_block_terms(block))
    return out


# Distinct blocks remembered per process: most are words, a few bytes each;
# Chinese clauses are longer but fewer.
BLOCK_MEMO = 20_000


@lru_cache(maxsize=BLOCK_MEMO)
def _block_terms(block: str) -> tuple[str, ...]:
    return tuple(_segment(block))


def _segment(text: str) -> list[str]:
    """The terms of ``text`` (lower-cased) as jieba cuts the whole of it."""
    out = []
    for token in _jieba().cut_for_search(text):
        token = token.strip()
        if not token or not _WORD.search(token) or token in STOPWORDS:
            continue
        if not _CJK.search(token):
            if len(token) < 2 and not token.isdigit():
                continue
            token = stem(token)
        out.append(token[:_MAX_TERM])
    return out


def query_terms(text: str) -> list[str]:
    """Return the distinct terms of a query, in order."""
    return list(dict.fromkeys(terms(text)))
