"""Searching: parse what the reader typed, keep to what they may see, rank, page
and highlight.

The public interface is ``query`` and ``similar_threads`` (re-exported by
``portal.search``). Nothing here raises on bad input or on a missing index:
a query with broken syntax is searched as plain words, and an unusable index
comes back as ``Results.error`` ("missing", "outdated", "unreadable").
"""

import itertools
import logging
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from flask import current_app
from markupsafe import Markup, escape
from whoosh import qparser, sorting
from whoosh import query as wq

from portal.search import backend, kinds, postings
from portal.search.analysis import word_analyzer

log = logging.getLogger(__name__)

FIELDS = ["content"]
FIELD_BOOSTS = {"content": 1.0}
MAX_PER_PAGE = 100
MAX_QUERY_CHARS = 500
# Beyond this many matches the page says "more than 1,000 results".
MAX_COUNT = 1000
SNIPPET_CHARS = 220
SORTS = ("relevance", "date")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}


@dataclass
class Hit:
    """One search result, renderable without loading its row."""

    kind: str
    id: int
    title: str
    url: str
    snippet: Markup
    title_html: Markup
    date: datetime | None
    score: float = 0.0
    flags: frozenset = frozenset()
    meta: dict = field(default_factory=dict)

    @property
    def resolved(self) -> bool:
        return "resolved" in self.flags

    @property
    def archived(self) -> bool:
        return "archived" in self.flags


@dataclass
class Results:
    """A page of results. ``error`` is set when the index cannot be used."""

    query: str = ""
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    page: int = 1
    per_page: int = 20
    sort: str = "relevance"
    suggestion: str | None = None
    error: str | None = None
    plain: bool = False  # the syntax was broken: searched as plain words
    more: bool = False  # more than ``total`` matches: total is a lower bound

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.per_page else 1

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


# --- parsing -----------------------------------------------------------------------


def _schema():
    return _cached("schema", backend.make_schema)


_cache: dict = {}


def _cached(name, factory):
    if name not in _cache:
        _cache[name] = factory()
    return _cache[name]


def _syntax_parser(fields=FIELDS, boosts=FIELD_BOOSTS, group=qparser.AndGroup):
    return qparser.MultifieldParser(
        fields,
        _schema(),
        fieldboosts=boosts,
        group=group,
        plugins=[
            qparser.WildcardPlugin(),
            qparser.PhrasePlugin(),
            qparser.GroupPlugin(),
            qparser.OperatorsPlugin(),
        ],
    )


def _plain_parser(fields=FIELDS, boosts=FIELD_BOOSTS, group=qparser.AndGroup):
    """Every character is text: quotes, brackets and AND are just words."""
    return qparser.MultifieldParser(
        fields, _schema(), fieldboosts=boosts, group=group, plugins=[]
    )


def broken_syntax(text: str) -> bool:
    """Tell whether ``text`` would not parse as the reader meant it."""
    if text.count('"') % 2:
        return True
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return True
    if depth:
        return True
    words = text.replace("(", " ").replace(")", " ").split()
    ops = [w in _OPERATORS for w in words]
    if ops and (ops[0] or ops[-1]):
        return True
    if any(a and b for a, b in zip(ops, ops[1:], strict=False)):
        return True
    # A leading wildcard walks every term of the index.
    return bool(re.search(r'(^|[\s("])[*?]', text))


def parse(text: str, *, group=qparser.AndGroup, fields=FIELDS, boosts=FIELD_BOOSTS):
    """Return ``(whoosh query, plain)`` for what the reader typed."""
    text = text[:MAX_QUERY_CHARS]
    if not broken_syntax(text):
        try:
            q = _syntax_parser(fields, boosts, group).parse(text)
            if not _has_error(q):
                return q, False
        except Exception:  # the parser's own failure: fall back to plain words
            log.debug("query %r did not parse", text, exc_info=True)
    return _plain_parser(fields, boosts, group).parse(text), True


def _has_error(q) -> bool:
    if isinstance(q, wq.qcore._NullQuery):
        return False
    if q.__class__.__name__ == "ErrorQuery":
        return True
    return any(_has_error(child) for child in q.children())


# --- what the viewer may see, and the filters --------------------------------------


def _hidden_scopes(viewer) -> list[str]:
    scopes = []
    for module in kinds.KINDS:
        fn = getattr(module, "hidden_scopes", None)
        if fn is not None:
            scopes.extend(fn(viewer))
    return scopes


def _day_start(value) -> datetime:
    dt = value if isinstance(value, datetime) else datetime.combine(value, time.min)
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt


def _filters(viewer, kinds_, account_id, tag, author_id, since, until):
    """Return ``(required parts, excluded query or None)``.

    What the viewer may not see is excluded rather than what they may see
    required: "scope:all" would match every document and make each query
    walk the whole index.
    """
    hidden = _hidden_scopes(viewer)
    excluded = wq.Or([wq.Term("scope", s) for s in hidden]) if hidden else None
    # Filters decide what matches, not how well: boost 0 adds nothing to the score.
    parts = []
    if kinds_:
        parts.append(wq.Or([wq.Term("kind", k, boost=0.0) for k in kinds_]))
    if account_id is not None:
        parts.append(wq.Term("accounts", str(int(account_id)), boost=0.0))
    if tag:
        parts.append(wq.Term("tags", str(tag).lower(), boost=0.0))
    if author_id is not None:
        parts.append(wq.Term("authors", str(int(author_id)), boost=0.0))
    if since or until:
        start = _day_start(since) if since else None
        end = None
        if until:
            end = _day_start(until)
            if not isinstance(until, datetime):
                end += timedelta(days=1) - timedelta(microseconds=1)
        parts.append(wq.DateRange("date", start, end, boost=0.0))
    return parts, excluded


def _restrict(q, parts, excluded):
    q = wq.And([q, *parts]) if parts else q
    return wq.AndNot(q, excluded) if excluded is not None else q


# --- results ------------------------------------------------------------------------


_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _term_pattern(terms) -> re.Pattern | None:
    """A pattern finding the words that produced ``terms`` in the original text.

    Chinese terms are literal text; English ones are stems, so a word that
    starts with the stem matches ("renew" marks "renewals").
    """
    parts = []
    for term in sorted(terms, key=len, reverse=True):
        if not term:
            continue
        if _CJK_RE.search(term):
            parts.append(re.escape(term))
        else:
            parts.append(rf"(?<!\w){re.escape(term)}\w*")
    if not parts:
        return None
    return re.compile("|".join(parts), re.IGNORECASE)


def _marked(text: str, pattern, start: int = 0, end: int | None = None) -> Markup:
    """Escape ``text[start:end]``, wrapping matches of ``pattern`` in <mark>."""
    end = len(text) if end is None else end
    if pattern is None:
        return escape(text[start:end])
    out = []
    pos = start
    for m in pattern.finditer(text, start, end):
        # Markup pieces joined once: no "%" formatting per match.
        out.append(escape(text[pos : m.start()]))
        out.append(_OPEN)
        out.append(escape(m.group()))
        out.append(_CLOSE)
        pos = m.end()
    out.append(escape(text[pos:end]))
    return Markup("").join(out)


_OPEN, _CLOSE = Markup("<mark>"), Markup("</mark>")


def _snippet(body: str, pattern) -> Markup:
    """A window of the text around its first match, matches marked."""
    if not body:
        return Markup("")
    first = pattern.search(body) if pattern is not None else None
    start = 0
    if first is not None and first.start() > SNIPPET_CHARS // 3:
        start = first.start() - SNIPPET_CHARS // 3
        space = body.rfind(" ", start - 20, start)
        start = space + 1 if space > 0 else start
    end = min(len(body), start + SNIPPET_CHARS)
    snippet = _marked(body, pattern, start, end)
    prefix = Markup("… ") if start else Markup("")
    suffix = Markup(" …") if end < len(body) else Markup("")
    return prefix + snippet + suffix


def _query_terms(q) -> set[str]:
    terms = set()
    try:
        for fieldname, text in q.all_terms(phrases=True):
            if fieldname in ("title", "content"):
                terms.add(text.decode() if isinstance(text, bytes) else str(text))
    except Exception:  # a query kind without terms (Every): nothing to mark
        log.debug("no terms", exc_info=True)
    return terms


def _hit(fields: dict, score: float | None, pattern=None) -> Hit:
    when = fields.get("date")
    if when is not None:
        when = when.replace(tzinfo=UTC)
    return Hit(
        kind=fields["kind"],
        id=fields["doc_id"],
        title=fields.get("title") or "",
        url=fields.get("url") or "",
        snippet=_snippet(fields.get("body") or "", pattern),
        title_html=_marked(fields.get("title") or "", pattern),
        date=when,
        score=score or 0.0,
        flags=frozenset((fields.get("flags") or "").split()),
        meta=fields.get("meta") or {},
    )


def _suggest(searcher, text: str, restrict) -> str | None:
    """Return the query with each unknown word replaced by a known one, or None.

    The words come from every title in the index, restricted threads' too, so
    a suggestion is offered only when it finds something ``restrict`` (the
    reader's filters) lets through: "did you mean" must not tell an outsider
    which words a restricted forum uses.
    """
    words = [t.text for t in word_analyzer()(text[:MAX_QUERY_CHARS])]
    if not words:
        return None
    reader = searcher.reader()
    changed = False
    out = []
    for word in words:
        if ("spell", word) in reader:
            out.append(word)
            continue
        found = searcher.suggest("spell", word, limit=1, maxdist=2, prefix=1)
        if found:
            out.append(found[0])
            changed = True
        else:
            out.append(word)
    if not changed:
        return None
    suggestion = " ".join(out)
    q, _ = parse(suggestion)
    if isinstance(q, wq.qcore._NullQuery):
        return None
    if searcher.search(restrict(q), limit=1).is_empty():
        return None
    return suggestion


def _count(searcher, q, found) -> tuple[int, bool]:
    """Return ``(total, more)``: exact up to ``MAX_COUNT``, then "more than"."""
    if found.has_exact_length():
        total = len(found)
    else:
        # The top documents were found without visiting every match; count
        # the matches without scoring them, and stop at a bound.
        total = sum(
            1 for _ in itertools.islice(searcher.docs_for_query(q), MAX_COUNT + 1)
        )
    if total > MAX_COUNT:
        return MAX_COUNT, True
    return total, False


def _index_dir() -> str:
    return current_app.config["SEARCH_INDEX_DIR"]


def query(
    text: str,
    viewer,
    *,
    kinds=None,
    account_id=None,
    tag=None,
    author_id=None,
    since=None,
    until=None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
) -> Results:
    """Search what ``viewer`` may see for ``text``; return one page of results.

    ``kinds`` narrows to document kinds ("thread", "page", "person", "account");
    ``account_id``, ``tag`` (a tag's slug), ``author_id``, ``since`` and
    ``until`` (dates, inclusive) filter; ``sort`` is "relevance" or "date".
    Empty text with at least one filter lists the filtered documents by date.
    Never raises for what the reader typed or for a missing index: see
    ``Results.error``.
    """
    text = (text or "").strip()
    sort = sort if sort in SORTS else "relevance"
    per_page = max(1, min(int(per_page or 20), MAX_PER_PAGE))
    # Pages beyond the counted matches would make Whoosh rank everything.
    page = max(1, min(int(page or 1), math.ceil(MAX_COUNT / per_page)))
    results = Results(query=text, page=page, per_page=per_page, sort=sort)
    parts, excluded = _filters(viewer, kinds, account_id, tag, author_id, since, until)
    has_filter = bool(parts)
    if not text and not has_filter:
        return results
    if text:
        user_q, results.plain = parse(text)
    else:
        user_q, sort = wq.Every(), "date"
    if isinstance(user_q, wq.qcore._NullQuery):
        return results  # only stop words, or nothing searchable
    plain_words = None
    if text:
        # Matches in the title add to the score; they are not required.
        title_q = parse(text, fields=["title"], boosts={"title": 1.5})[0]
        if sort == "relevance":
            plain_words = postings.plan(user_q, title_q, parts, excluded)
        if not isinstance(title_q, wq.qcore._NullQuery):
            user_q = wq.AndMaybe(user_q, title_q)
    q = _restrict(user_q, parts, excluded)
    sortedby = sorting.FieldFacet("date", reverse=True) if sort == "date" else None
    limit = page * per_page
    try:
        with backend.searcher(_index_dir()) as searcher:
            pattern = _term_pattern(_query_terms(user_q))
            if plain_words is not None:
                count, best = postings.search(searcher, plain_words, limit)
                results.total, results.more = min(count, MAX_COUNT), count > MAX_COUNT
                results.hits = [
                    _hit(searcher.stored_fields(docnum), score, pattern)
                    for docnum, score in best[(page - 1) * per_page :]
                ]
            else:
                # Not search_page(): it counts every match to number the pages.
                found = searcher.search(q, limit=limit, sortedby=sortedby)
                results.total, results.more = _count(searcher, q, found)
                results.hits = [
                    _hit(hit.fields(), hit.score, pattern)
                    for hit in found[(page - 1) * per_page : limit]
                ]
            if not results.total and text:
                results.suggestion = _suggest(
                    searcher, text, lambda q: _restrict(q, parts, excluded)
                )
    except backend.IndexUnavailable as error:
        results.error = error.reason
    except Exception:
        log.exception("search failed for %r", text)
        results.error = "unreadable"
    return results


def similar_threads(title: str, viewer, limit: int = 5) -> list[Hit]:
    """Return threads whose titles resemble ``title`` that ``viewer`` may read.

    Any shared word counts; threads sharing more words, and resolved cases,
    come first. Returns an empty list when the index cannot be used.
    """
    title = (title or "").strip()[:MAX_QUERY_CHARS]
    if not title:
        return []
    q, _ = parse(
        title,
        group=qparser.OrGroup.factory(0.9),
        fields=["title", "content"],
        boosts={"title": 4.0, "content": 0.5},
    )
    if isinstance(q, wq.qcore._NullQuery):
        return []
    parts, excluded = _filters(viewer, ["thread"], None, None, None, None, None)
    try:
        with backend.searcher(_index_dir()) as searcher:
            found = searcher.search(_restrict(q, parts, excluded), limit=limit)
            return [_hit(hit.fields(), hit.score) for hit in found]
    except backend.IndexUnavailable:
        return []
    except Exception:
        log.exception("similar threads failed for %r", title)
        return []


def kind_labels() -> dict[str, str]:
    return {module.KIND: module.LABEL for module in kinds.KINDS}


__all__ = ["Hit", "Results", "query", "similar_threads"]
