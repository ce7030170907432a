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

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context

from portal import clock
from portal.auth.models import User
from portal.auth.permissions import is_moderator
from portal.errors import Invalid
from portal.experts import text
from portal.experts.evidence import WEIGHTS
from portal.experts.models import (
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


def _track_record(docs: dict) -> float:
    """How colleagues received a person's answers on the query's subject.

    (accepted or upvoted + 1) / (answers + 2), doubled: 1 for an even record
    or none, towards 2 when most answers helped, towards 0 for many answers
    that nobody accepted or upvoted. Posting a lot does not make an expert.
    """
    good = total = 0
    for found in docs.values():
        for _, kind, _ in found:
            if kind in FORUM_KINDS:
                total += 1
                good += kind in GOOD_KINDS
    return 2 * (good + 1) / (total + 2)


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


def _visible_clause(viewer):
    """Documents ``viewer`` may see: open forums and pages, their department's."""
    if viewer is None or is_moderator(viewer):
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


def _bm25(terms: list[str], doc_filter) -> dict[int, float]:
    if not terms:
        return {}
    total = db.session.scalar(sa.select(sa.func.count(EvidenceDocument.id))) or 1
    avg = (
        db.session.scalar(sa.select(sa.func.avg(EvidenceDocument.length))) or 1.0
    ) or 1.0
    df = dict(
        db.session.execute(
            sa.select(EvidenceTerm.term, sa.func.count())
            .where(EvidenceTerm.term.in_(terms))
            .group_by(EvidenceTerm.term)
        ).all()
    )
    rows = db.session.execute(
        sa.select(
            EvidenceTerm.document_id,
            EvidenceTerm.term,
            EvidenceTerm.tf,
            EvidenceDocument.length,
        )
        .join(EvidenceDocument, EvidenceDocument.id == EvidenceTerm.document_id)
        .where(EvidenceTerm.term.in_(terms), doc_filter)
    ).all()
    scores: dict[int, float] = defaultdict(float)
    for doc_id, term, tf, length in rows:
        n = df.get(term, 0)
        idf = math.log(1 + (total - n + 0.5) / (n + 0.5))
        norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * (length or 0) / float(avg)))
        scores[doc_id] += idf * norm
    return scores


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
    doc_filter = _visible_clause(viewer)
    if skip is not None:
        # The question being routed (or the page being validated) matches
        # itself best; what counts is the evidence elsewhere.
        doc_filter = sa.and_(
            doc_filter,
            sa.not_(
                sa.and_(
                    EvidenceDocument.kind == skip[0],
                    EvidenceDocument.source_id == skip[1],
                )
            ),
        )
    if account is not None:
        doc_filter = sa.and_(
            doc_filter,
            EvidenceDocument.id.in_(
                sa.select(evidence_document_accounts.c.document_id).where(
                    evidence_document_accounts.c.account_id == account.id
                )
            ),
        )
    rel = _bm25(terms, doc_filter)
    best = max(rel.values(), default=0.0)
    rel = {d: s / best for d, s in rel.items()} if best else {}
    rel = {d: s for d, s in rel.items() if s >= MIN_RELEVANCE}
    if tags:
        tagged = db.session.scalars(
            sa.select(evidence_document_tags.c.document_id)
            .join(
                EvidenceDocument,
                EvidenceDocument.id == evidence_document_tags.c.document_id,
            )
            .where(
                evidence_document_tags.c.tag_id.in_([t.id for t in tags]), doc_filter
            )
        )
        for doc_id in set(tagged):
            rel[doc_id] = rel.get(doc_id, 0.0 if terms else 0.5) + TAG_BONUS
    elif not terms:  # an account alone: everything about it
        for doc_id in db.session.scalars(
            sa.select(EvidenceDocument.id).where(doc_filter)
        ):
            rel[doc_id] = 1.0
    if len(rel) > TOP_DOCUMENTS:
        keep = sorted(rel.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_DOCUMENTS]
        rel = dict(keep)
    return rel, tags


def _empty_query_message(query: str) -> str:
    from flask_babel import gettext as _

    if query:
        return _(
            "“%(q)s” has no words to look for: try a topic, a product or a tag.",
            q=query,
        )
    return _("Type what you need to know: a topic, a product or a tag.")


def _hidden(user_ids) -> dict[int, set[int]]:
    hidden: dict[int, set[int]] = defaultdict(set)
    if user_ids:
        for uid, tag_id in db.session.execute(
            sa.select(HiddenTopic.user_id, HiddenTopic.tag_id).where(
                HiddenTopic.user_id.in_(list(user_ids))
            )
        ):
            hidden[uid].add(tag_id)
    return hidden


def _chunks(ids, size=900):
    ids = list(ids)
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


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
    active = sa.and_(User.active.is_(True), User.left_at.is_(None))

    rows = []
    doc_tags: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks(rel):
        rows += db.session.execute(
            sa.select(
                Evidence.user_id,
                Evidence.document_id,
                Evidence.kind,
                Evidence.weight,
                Evidence.at,
            )
            .join(User, User.id == Evidence.user_id)
            .where(Evidence.document_id.in_(chunk), active)
        ).all()
        for doc_id, tag_id in db.session.execute(
            sa.select(
                evidence_document_tags.c.document_id, evidence_document_tags.c.tag_id
            ).where(evidence_document_tags.c.document_id.in_(chunk))
        ):
            doc_tags[doc_id].add(tag_id)
    hidden = _hidden({r.user_id for r in rows})

    # person -> document -> [(decayed weight, kind, at)]
    per: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for uid, doc_id, kind, weight, at in rows:
        if uid in exclude or (hidden.get(uid) and hidden[uid] & doc_tags[doc_id]):
            continue
        per[uid][doc_id].append((weight * decay(at, now, half_life), kind, at))

    scores: dict[int, float] = defaultdict(float)
    for uid, docs in per.items():
        factor = _track_record(docs)
        for doc_id, found in docs.items():
            weights = sorted((w for w, _, _ in found), reverse=True)
            strength = weights[0] + REST * sum(weights[1:])
            if found[0][1] in FORUM_KINDS:
                strength *= factor
            scores[uid] += rel[doc_id] ** SHARPEN * strength

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
            .where(active, *skill_filter)
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
                .where(WorkAccount.account_id == account.id, active)
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
    users = {
        u.id: u
        for u in db.session.scalars(
            sa.select(User).where(User.id.in_([uid for _, uid in best]))
        )
    }
    docs = {}
    if explain:
        wanted = {d for _, uid in best for d in per.get(uid, {})}
        for chunk in _chunks(wanted):
            for doc in db.session.scalars(
                sa.select(EvidenceDocument).where(EvidenceDocument.id.in_(chunk))
            ):
                docs[doc.id] = doc
    out = []
    for score, uid in best:
        s = Suggestion(
            user=users[uid],
            score=round(score, 3),
            skills=declared.get(uid, []),
            works_on=uid in works_on,
        )
        if explain:
            _explain(s, per.get(uid, {}), rel, docs)
        out.append(s)
    return out


def _explain(s: Suggestion, docs_found: dict, rel: dict, docs: dict) -> None:
    counts: dict[str, int] = defaultdict(int)
    items = []
    for doc_id, found in docs_found.items():
        doc = docs.get(doc_id)
        if doc is None:
            continue
        for weight, kind, at in found:
            counts[kind] += 1
            items.append(Item(kind, doc.title, doc.url, at, weight * rel[doc_id]))
            s.first_at = at if s.first_at is None else min(s.first_at, at)
            s.last_at = at if s.last_at is None else max(s.last_at, at)
    s.counts = dict(counts)
    items.sort(key=lambda i: (-i.weight, i.title))
    # One line per document: its strongest item.
    seen, s.items = set(), []
    for item in items:
        if item.url in seen:
            continue
        seen.add(item.url)
        s.items.append(item)
        if len(s.items) == EXPLAIN_ITEMS:
            break
