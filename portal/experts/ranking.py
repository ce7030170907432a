"""Find the people who know: retrieve the documents relevant to a question,
then credit the people tied to them (Balog et al., SIGIR 2006, Model 2).

score(person, q) = Σ over retrieved documents d of rel(q, d)² · w(person, d)
                 + what the person declared about the query's tags

``rel`` is BM25, scaled so the best document scores 1, plus a bonus when the
document carries a tag the query names. ``w`` is the person's evidence in the
document, each item halved every half-life (default 365 days); within one
document the strongest item counts fully and the rest a quarter, so ten chatty
replies to one thread do not outweigh the accepted answer. Forum evidence is
scaled by the person's track record on the subject (how many of their answers
were accepted or upvoted), so many unremarkable posts do not make an expert.
Departed and
deactivated people are never suggested; a topic a person hid ("not me") is not
used for them.
"""

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from portal import clock
from portal.auth.models import User
from portal.auth.permissions import is_moderator
from portal.dbtypes import UTCDateTime
from portal.errors import Invalid
from portal.experts import text
from portal.experts.evidence import WEIGHTS
from portal.experts.models import (
    EVIDENCE_KINDS,
    Evidence,
    EvidenceDocument,
    EvidenceTerm,
    HiddenTopic,
    Skill,
    WorkAccount,
    evidence_document_accounts,
    evidence_document_tags,
)
from portal.extensions import db
from portal.tags.models import Tag

DEFAULT_HALF_LIFE_DAYS = 365
# BM25 parameters, the usual ones.
K1, B = 1.2, 0.75
# Documents credited per query (Model 2 ranks over the top retrieved ones).
TOP_DOCUMENTS = 1000
# Below this share of the best document's relevance, a document is noise.
MIN_RELEVANCE = 0.15
# A document filed under a tag the query names.
TAG_BONUS = 0.5
# Within one document: the strongest item counts fully, the others this much.
REST = 0.25
MAX_ENDORSEMENTS = 3
# People who say they work on an account, or manage it, for account queries.
ACCOUNT_DECLARED = 0.5
EXPLAIN_ITEMS = 5
# Relevance is raised to this power, so a document that matches the whole
# question counts much more than one that shares a word with it (closer to
# the query likelihood of Balog's model, which multiplies over the terms).
SHARPEN = 2
FORUM_KINDS = frozenset({"accepted", "upvoted", "answer", "post"})
GOOD_KINDS = frozenset({"accepted", "upvoted"})
# Documents read per query term, the newest first: a term in most documents
# (续约, "renewal") costs the same however long the history grows. Recent
# evidence counts most anyway (the half-life); an account's search reads all
# of the account's documents.
POSTINGS_PER_TERM = 5000
# How long a process reuses the corpus statistics BM25 weighs terms by (how
# many documents, their mean length, how many contain a term): they change
# slowly, and counting a common term's documents grows with the history.
CORPUS_SECONDS = 300


# Active people only: departed and deactivated people are never suggested.
_ACTIVE = sa.and_(User.active.is_(True), User.left_at.is_(None))


class epoch_seconds(FunctionElement):
    """A timestamp column as seconds since 1970, in SQL."""

    type = sa.Float()
    name = "epoch_seconds"
    inherit_cache = True


@compiles(epoch_seconds)
def _epoch_seconds(element, compiler, **kw):
    # EXTRACT gives numeric on PostgreSQL 14 and later: keep the sums float.
    return (
        f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) AS FLOAT8)"
    )


@compiles(epoch_seconds, "sqlite")
def _epoch_seconds_sqlite(element, compiler, **kw):
    # SQLite keeps UTC timestamps as text; julianday reads them.
    return (
        f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5)"
        " * 86400.0)"
    )


@dataclass
class Item:
    """One piece of evidence behind a suggestion, as the reader sees it."""

    kind: str
    title: str
    url: str
    at: datetime
    weight: float  # after decay and relevance


@dataclass
class Suggestion:
    user: User
    score: float
    counts: dict = field(default_factory=dict)  # evidence kind -> documents
    items: list = field(default_factory=list)  # the strongest Items
    skills: list = field(default_factory=list)  # declared Skills that matched
    works_on: bool = False  # declared or manages the account asked about
    first_at: datetime | None = None
    last_at: datetime | None = None


def half_life_days() -> float:
    if has_app_context():
        return float(
            current_app.config.get("EXPERTS_HALF_LIFE_DAYS", DEFAULT_HALF_LIFE_DAYS)
        )
    return DEFAULT_HALF_LIFE_DAYS


def decay(at: datetime, now: datetime, half_life: float) -> float:
    """Return how much evidence from ``at`` still counts: 1 now, ½ a half-life ago."""
    age = max((now - at).total_seconds() / 86400, 0.0)
    return 0.5 ** (age / half_life) if half_life > 0 else 1.0


def _sees_everything(viewer) -> bool:
    return viewer is None or is_moderator(viewer)


def viewing_scope(viewer) -> tuple:
    """A key shared by exactly the readers a ranking answers alike:
    ``_visible_clause`` depends on nothing else (keep the two in step)."""
    if _sees_everything(viewer):
        return ("everything",)
    return ("department", getattr(viewer, "department_id", None))


def _visible_clause(viewer):
    """Documents ``viewer`` may see: open forums and pages, their department's."""
    if _sees_everything(viewer):
        return sa.true()
    if getattr(viewer, "department_id", None) is None:
        return EvidenceDocument.department_id.is_(None)
    return sa.or_(
        EvidenceDocument.department_id.is_(None),
        EvidenceDocument.department_id == viewer.department_id,
    )


def query_tags(query: str, terms: list[str]) -> list[Tag]:
    """Return the tags a query names: its whole text, or a tag's every term."""
    key = query.strip().lower()
    if not key and not terms:
        return []
    candidates = list(
        db.session.scalars(
            sa.select(Tag).where(sa.or_(Tag.key == key[:40], Tag.key.in_(terms)))
        )
    )
    found = {t.id: t for t in candidates}
    # Multi-word tags ("disputed invoices"): all their terms in the query.
    wanted = set(terms)
    if len(wanted) > 1:
        for tag in db.session.scalars(
            sa.select(Tag).where(
                sa.or_(*(Tag.key.contains(t, autoescape=True) for t in terms[:8]))
            )
        ):
            tag_terms = set(text.terms(tag.name))
            if tag_terms and tag_terms <= wanted:
                found[tag.id] = tag
    return list(found.values())


def _corpus(terms: list[str]) -> tuple[int, float, dict[str, int]]:
    """Return how many documents there are, their mean length in terms, and
    how many contain each term: what BM25 weighs terms by.

    Read in one query, and kept by the process for ``EXPERTS_CORPUS_SECONDS``
    (0 in tests: always read).
    """
    ttl = float(current_app.config.get("EXPERTS_CORPUS_SECONDS", 0))
    cache = current_app.extensions.setdefault("experts.corpus", {})
    now = clock.now()

    def fresh(key):
        found = cache.get(key)
        return found is not None and found[0] > now

    missing = [t for t in terms if not fresh(t)]
    if missing or not fresh(None):
        counts = [
            sa.select(sa.func.count())
            .select_from(EvidenceTerm)
            .where(EvidenceTerm.term == t)
            .scalar_subquery()
            for t in missing
        ]
        total, avg, *df = db.session.execute(
            sa.select(
                sa.func.count(EvidenceDocument.id),
                sa.func.avg(EvidenceDocument.length),
                *counts,
            )
        ).one()
        until = now + timedelta(seconds=max(ttl, 0))
        if len(cache) > 10_000:
            cache.clear()
        cache[None] = (until, total or 1, float(avg or 1.0) or 1.0)
        cache.update({t: (until, n) for t, n in zip(missing, df, strict=True)})
    _, total, avg = cache[None]
    df = {t: cache[t][1] for t in terms}
    if ttl <= 0:
        cache.clear()
    return total, avg, df


def _postings(terms: list[str], newest_only: bool):
    """(term, document id, tf) of the query's terms: each term's newest
    ``POSTINGS_PER_TERM`` documents, or all of them."""
    columns = (EvidenceTerm.term, EvidenceTerm.document_id, EvidenceTerm.tf)
    if not newest_only:
        return sa.select(*columns).where(EvidenceTerm.term.in_(terms)).subquery()
    parts = []
    for t in terms:
        newest = (
            sa.select(*columns)
            .where(EvidenceTerm.term == t)
            .order_by(EvidenceTerm.document_id.desc())
            .limit(POSTINGS_PER_TERM)
            .subquery()
        )
        parts.append(sa.select(newest))
    return sa.union_all(*parts).subquery("postings")


def _relevant(
    terms: list[str], tags: list[Tag], doc_filter, *, newest_only: bool, everything
) -> dict[int, float]:
    """Return {document id: relevance} of the best documents, in one query.

    BM25 over the terms, scaled so the best document scores 1, below
    ``MIN_RELEVANCE`` left out; ``TAG_BONUS`` added to documents filed under
    the tags; the best ``TOP_DOCUMENTS``. The database adds it up, so only the
    documents kept come back, however many contain the terms.
    """
    parts = []
    if terms:
        total, avg, df = _corpus(terms)
        idf = {t: math.log(1 + (total - df[t] + 0.5) / (df[t] + 0.5)) for t in terms}
        postings = _postings(terms, newest_only)
        # Each kept posting's document length, looked up by its key: a join
        # would read every document's length to hash them (40,000 at M for
        # 5,000 postings).
        length = sa.func.coalesce(
            sa.select(EvidenceDocument.length)
            .where(EvidenceDocument.id == postings.c.document_id)
            .scalar_subquery(),
            0,
        )
        tf = postings.c.tf
        norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avg))
        scored = (
            sa.select(
                postings.c.document_id.label("document_id"),
                sa.func.sum(sa.case(idf, value=postings.c.term) * norm).label("s"),
            )
            .where(doc_filter(postings.c.document_id))
            .group_by(postings.c.document_id)
            .cte("scored")
        )
        best = sa.select(sa.func.max(scored.c.s)).scalar_subquery()
        rel = scored.c.s / best
        parts.append(
            sa.select(scored.c.document_id, rel.label("rel")).where(
                rel >= MIN_RELEVANCE
            )
        )
    if tags:
        # A document filed under a tag the query names; on tags alone, every
        # such document counts as much as the best one.
        bonus = TAG_BONUS if terms else TAG_BONUS + 0.5
        parts.append(
            sa.select(
                evidence_document_tags.c.document_id.label("document_id"),
                sa.literal(bonus, sa.Float).label("rel"),
            )
            .where(
                evidence_document_tags.c.tag_id.in_([t.id for t in tags]),
                doc_filter(evidence_document_tags.c.document_id),
            )
            .distinct()
        )
    elif not terms:  # an account alone: everything about it (``everything``)
        parts.append(
            sa.select(
                everything.c.document_id.label("document_id"),
                sa.literal(1.0, sa.Float).label("rel"),
            ).where(doc_filter(everything.c.document_id))
        )
    if not parts:
        return {}
    found = sa.union_all(*parts).subquery("found")
    total_rel = sa.func.sum(found.c.rel)
    return dict(
        db.session.execute(
            sa.select(found.c.document_id, total_rel)
            .group_by(found.c.document_id)
            .order_by(total_rel.desc(), found.c.document_id)
            .limit(TOP_DOCUMENTS)
        ).all()
    )


def retrieve(
    query: str = "",
    *,
    tag: Tag | None = None,
    account=None,
    viewer=None,
    skip: tuple[str, int] | None = None,
) -> tuple[dict[int, float], list[Tag]]:
    """Return {document id: relevance} for a query, and the tags it names.

    :raises Invalid: when there is nothing to look for.
    """
    query = (query or "").strip()
    terms = text.query_terms(query)
    if not terms and tag is None and account is None:
        raise Invalid(
            _empty_query_message(query),
            details={"field": "q"},
        )
    tags = [tag] if tag is not None else query_tags(query, terms)
    left_out = ~_visible_clause(viewer)
    if skip is not None:
        # The question being routed (or the page being validated) matches
        # itself best; what counts is the evidence elsewhere.
        left_out = sa.or_(
            left_out,
            sa.and_(
                EvidenceDocument.kind == skip[0],
                EvidenceDocument.source_id == skip[1],
            ),
        )
    hidden_docs = sa.select(EvidenceDocument.id).where(left_out)
    account_docs = None
    if account is not None:
        account_docs = sa.select(evidence_document_accounts.c.document_id).where(
            evidence_document_accounts.c.account_id == account.id
        )

    def doc_filter(document_id):
        """On a document id column: what the viewer may see, the document
        skipped left out, the account's only. Few documents are restricted,
        so it excludes those rather than reading every document's forum."""
        clauses = []
        if skip is not None or not _sees_everything(viewer):
            clauses.append(document_id.not_in(hidden_docs))
        if account_docs is not None:
            clauses.append(document_id.in_(account_docs))
        return sa.and_(sa.true(), *clauses)

    rel = _relevant(
        terms,
        tags,
        doc_filter,
        newest_only=account is None,
        everything=None if account_docs is None else account_docs.subquery(),
    )
    return rel, tags


def _empty_query_message(query: str) -> str:
    from flask_babel import gettext as _

    if query:
        return _(
            "“%(q)s” has no words to look for: try a topic, a product or a tag.",
            q=query,
        )
    return _("Type what you need to know: a topic, a product or a tag.")


def _relevance_table(dialect: str):
    """The retrieved documents and their relevance as a table SQL can join,
    sent as two arrays (PostgreSQL) or one JSON list (SQLite): one parameter
    or two, where a VALUES list of a thousand rows costs SQLAlchemy more to
    compile than the whole ranking."""
    if dialect == "postgresql":
        stmt = sa.text(
            "SELECT document_id, rel FROM unnest(CAST(:rel_ids AS INTEGER[]), "
            "CAST(:rel_values AS FLOAT8[])) AS r(document_id, rel)"
        )
    else:
        stmt = sa.text(
            "SELECT CAST(json_extract(value, '$[0]') AS INTEGER) AS document_id, "
            "json_extract(value, '$[1]') AS rel FROM json_each(:rel_json)"
        )
    return stmt.columns(document_id=sa.Integer, rel=sa.Float).subquery("rel")


def _relevance_params(dialect: str, rel: dict[int, float]) -> dict:
    ids = list(rel)
    if dialect == "postgresql":
        # Array literals written here: psycopg's list dumper tests every
        # element with a regex (1.2 ms for the two lists of 1,000, against
        # 0.4 ms). repr() of a float reads back as the same float.
        return {
            "rel_ids": "{" + ",".join(map(str, ids)) + "}",
            "rel_values": "{" + ",".join(repr(float(rel[d])) for d in ids) + "}",
        }
    return {"rel_json": json.dumps([[d, rel[d]] for d in ids])}


def _decayed(decays: bool):
    """``Evidence.weight`` after ``decay``, in SQL, as of the parameter
    ``now`` (and ``now_ts``, its epoch seconds; ``k``: ln 2 per half-life in
    seconds)."""
    if not decays:
        return Evidence.weight
    # 0.5 ** (age / half-life) as one exp() per row; evidence dated in the
    # future (clocks disagree) counts fully, as in ``decay``.
    return sa.case(
        (Evidence.at >= sa.bindparam("now", type_=UTCDateTime()), Evidence.weight),
        else_=Evidence.weight
        * sa.func.exp(
            (epoch_seconds(Evidence.at) - sa.bindparam("now_ts", type_=sa.Float()))
            * sa.bindparam("k", type_=sa.Float())
        ),
    )


def _power(x, n: int):
    """x ** n as a product: cheaper than power() for a small whole n."""
    out = x
    for _ in range(n - 1):
        out = out * x
    return out


def _not_hidden():
    """Evidence in a document filed under a topic its person hid ("not me")
    is not used for them."""
    return ~sa.exists().where(
        HiddenTopic.user_id == Evidence.user_id,
        HiddenTopic.tag_id == evidence_document_tags.c.tag_id,
        evidence_document_tags.c.document_id == Evidence.document_id,
    )


def _count(kinds):
    kinds = sorted(kinds)
    match = Evidence.kind == kinds[0] if len(kinds) == 1 else Evidence.kind.in_(kinds)
    return sa.func.sum(sa.case((match, 1), else_=0))


@cache
def _scores_statement(dialect: str, decays: bool, excluding: bool):
    """One row per person: what ``_scores`` adds up. Built once: the statement
    is large, and only its parameters change."""
    r = _relevance_table(dialect)
    w = _decayed(decays)
    where = [_ACTIVE, _not_hidden()]
    if excluding:
        where.append(Evidence.user_id.not_in(sa.bindparam("exclude", expanding=True)))
    # Per person and document: the strongest item fully, the others a quarter.
    per_doc = (
        sa.select(
            Evidence.user_id.label("user_id"),
            r.c.rel.label("rel"),
            sa.func.max(w).label("top"),
            sa.func.sum(w).label("total"),
            _count(FORUM_KINDS).label("forum"),
            _count(GOOD_KINDS).label("good"),
        )
        .join(r, r.c.document_id == Evidence.document_id)
        .join(User, User.id == Evidence.user_id)
        .where(*where)
        .group_by(Evidence.user_id, Evidence.document_id, r.c.rel)
        .subquery("per_doc")
    )
    strength = _power(per_doc.c.rel, SHARPEN) * (
        per_doc.c.top + REST * (per_doc.c.total - per_doc.c.top)
    )
    is_forum = per_doc.c.forum > 0
    return sa.select(
        per_doc.c.user_id,
        sa.func.sum(sa.case((is_forum, strength), else_=0.0)),
        sa.func.sum(sa.case((is_forum, 0.0), else_=strength)),
        sa.func.sum(per_doc.c.forum),
        sa.func.sum(per_doc.c.good),
    ).group_by(per_doc.c.user_id)


def decayed_weight(now: datetime, half_life: float):
    """Return ``Evidence.weight`` after ``decay`` as of ``now`` as a SQL
    expression, and the parameters to execute it with."""
    if half_life <= 0:
        return _decayed(False), {}
    k = math.log(2) / (86400.0 * half_life)
    return _decayed(True), {"now": now, "now_ts": now.timestamp(), "k": k}


def _sent(rel: dict[int, float], now, half_life) -> tuple[str, dict] | None:
    """The dialect, and the parameters that ``_scores`` and ``_explanations``
    both send (the retrieved documents' relevances, the decay's): written
    once a search. None when nothing was retrieved."""
    if not rel:
        return None
    dialect = db.session.get_bind().dialect.name
    params = {**_relevance_params(dialect, rel), **decayed_weight(now, half_life)[1]}
    return dialect, params


def _scores(sent, half_life, exclude) -> dict[int, float]:
    """Score the people with evidence in the retrieved documents, in SQL:
    one row per person comes back, however much evidence there is."""
    if sent is None:
        return {}
    dialect, params = sent
    if exclude:
        params = {**params, "exclude": list(exclude)}
    rows = db.session.execute(
        _scores_statement(dialect, half_life > 0, bool(exclude)), params
    ).all()
    out = {}
    for uid, forum_score, other, forum, good in rows:
        # The track record: how colleagues received the person's answers on
        # the query's subject. (good + 1) / (answers + 2), doubled: 1 for an
        # even record or none, towards 2 when most answers helped, towards 0
        # for many answers nobody accepted or upvoted.
        # (PostgreSQL sums bigints as numeric: counts come back as Decimal.)
        factor = 2 * (int(good) + 1) / (int(forum) + 2)
        out[uid] = (forum_score or 0.0) * factor + (other or 0.0)
    return out


def rank(
    query: str = "",
    *,
    tag: Tag | None = None,
    account=None,
    viewer=None,
    limit: int = 10,
    exclude: set[int] | frozenset = frozenset(),
    explain: bool = True,
    skip: tuple[str, int] | None = None,
) -> list[Suggestion]:
    """Return the people who know most about the query, best first, with why.

    :raises Invalid: when the query has nothing to look for.
    """
    rel, tags = retrieve(query, tag=tag, account=account, viewer=viewer, skip=skip)
    now = clock.now()
    half_life = half_life_days()
    scores: dict[int, float] = defaultdict(float)
    sent = _sent(rel, now, half_life)
    scores.update(_scores(sent, half_life, exclude))

    # What people declared, least of all.
    declared: dict[int, list[Skill]] = defaultdict(list)
    if tags:
        skill_filter = [Skill.tag_id.in_([t.id for t in tags])]
        if account is not None:
            skill_filter.append(
                Skill.user_id.in_(
                    sa.select(WorkAccount.user_id).where(
                        WorkAccount.account_id == account.id
                    )
                )
            )
        for skill in db.session.scalars(
            sa.select(Skill)
            .join(User, User.id == Skill.user_id)
            .where(_ACTIVE, *skill_filter)
        ):
            if skill.user_id in exclude:
                continue
            declared[skill.user_id].append(skill)
            scores[skill.user_id] += WEIGHTS["skill"] * skill.level + WEIGHTS[
                "endorsement"
            ] * min(skill.endorsement_count, MAX_ENDORSEMENTS)
    works_on: set[int] = set()
    if account is not None:
        works_on = set(
            db.session.scalars(
                sa.select(WorkAccount.user_id)
                .join(User, User.id == WorkAccount.user_id)
                .where(WorkAccount.account_id == account.id, _ACTIVE)
            )
        )
        manager = account.account_manager
        if manager is not None and manager.is_active:
            works_on.add(manager.id)
        for uid in works_on - set(exclude):
            scores[uid] += ACCOUNT_DECLARED

    best = sorted(
        ((s, uid) for uid, s in scores.items() if s > 0), key=lambda x: (-x[0], x[1])
    )[:limit]
    if not best:
        return []
    top_ids = [uid for _, uid in best]
    users = {
        u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(top_ids)))
    }
    why = _explanations(sent, top_ids, half_life) if explain else {}
    out = []
    for score, uid in best:
        s = Suggestion(
            user=users[uid],
            score=round(score, 3),
            skills=declared.get(uid, []),
            works_on=uid in works_on,
        )
        if uid in why:
            s.counts, s.first_at, s.last_at, s.items = why[uid]
        out.append(s)
    return out


@cache
def _items_statement(dialect: str, decays: bool):
    r = _relevance_table(dialect)
    w = _decayed(decays)
    in_doc = (
        sa.select(
            Evidence.user_id,
            Evidence.document_id,
            Evidence.kind,
            Evidence.at,
            (w * r.c.rel).label("weight"),
            sa.func.row_number()
            .over(
                partition_by=(Evidence.user_id, Evidence.document_id),
                order_by=w.desc(),
            )
            .label("n"),
            *(
                _count([k]).over(partition_by=Evidence.user_id).label(k)
                for k in EVIDENCE_KINDS
            ),
            sa.func.min(Evidence.at)
            .over(partition_by=Evidence.user_id)
            .label("first_at"),
            sa.func.max(Evidence.at)
            .over(partition_by=Evidence.user_id)
            .label("last_at"),
        )
        .join(r, r.c.document_id == Evidence.document_id)
        .where(
            Evidence.user_id.in_(sa.bindparam("user_ids", expanding=True)),
            _not_hidden(),
        )
        .subquery("in_doc")
    )
    per_user = (
        sa.select(
            in_doc.c.user_id,
            in_doc.c.kind,
            in_doc.c.at,
            in_doc.c.weight,
            EvidenceDocument.title,
            EvidenceDocument.url,
            in_doc.c.first_at,
            in_doc.c.last_at,
            *(in_doc.c[k] for k in EVIDENCE_KINDS),
            sa.func.row_number()
            .over(
                partition_by=in_doc.c.user_id,
                order_by=(in_doc.c.weight.desc(), EvidenceDocument.title),
            )
            .label("k"),
        )
        .join(EvidenceDocument, EvidenceDocument.id == in_doc.c.document_id)
        .where(in_doc.c.n == 1)
        .subquery("per_user")
    )
    return (
        sa.select(per_user)
        .where(per_user.c.k <= EXPLAIN_ITEMS)
        .order_by(per_user.c.user_id, per_user.c.k)
    )


def _explanations(sent, user_ids, half_life) -> dict[int, tuple]:
    """Why each person is suggested: {user id: (counts of evidence by kind,
    first and last dates, the strongest items, one per document)}."""
    if sent is None or not user_ids:
        return {}
    dialect, params = sent
    params = {**params, "user_ids": list(user_ids)}
    out: dict[int, tuple] = {}
    for row in db.session.execute(_items_statement(dialect, half_life > 0), params):
        uid, kind, at, weight, title, url, first_at, last_at, *counts, _ = row
        if uid not in out:
            counts = zip(EVIDENCE_KINDS, counts, strict=True)
            out[uid] = ({k: int(n) for k, n in counts if n}, first_at, last_at, [])
        items = out[uid][3]
        if all(item.url != url for item in items):
            items.append(Item(kind, title, url, at, weight))
    return out
