"""Evidence of expertise, document-centred (Balog et al., SIGIR 2006, Model 2).

A document is a forum thread (the question, its answers) or a wiki page. Each
keeps its terms (for retrieval), its tags and accounts (for topic and account
filters) and the people tied to it, with what they did and how much that
counts. A document is recomputed from the database whenever its content
changes (``refresh_thread``, ``refresh_page``), inside the caller's transaction;
``rebuild`` recomputes all of them.
"""

from collections import Counter

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal import versions
from portal.experts import text
from portal.experts.models import (
    Evidence,
    EvidenceDocument,
    EvidenceTerm,
    evidence_document_accounts,
    evidence_document_tags,
)
from portal.extensions import db
from portal.forums.models import Post, Thread
from portal.wiki import contributors
from portal.wiki.models import Page, Revision

# What each kind of evidence is worth before decay: an accepted answer most,
# declared skills least (the last two are read by the ranking, not stored here).
WEIGHTS = {
    "accepted": 8.0,
    "upvoted": 4.0,
    "answer": 1.5,
    "post": 1.0,
    "page": 1.2,  # times the share of the page's text the person wrote
    "validated": 0.8,  # times the share, for a validated page
    "endorsement": 0.4,  # per endorsement of a declared skill, up to 3
    "skill": 0.2,  # times the declared level (1-3)
}
# Each vote beyond the first adds this much, up to VOTE_CAP votes.
VOTE_BONUS = 0.5
VOTE_CAP = 4
# A downvoted answer still shows some engagement, little knowledge.
DOWNVOTED = 0.5
# Text indexed per document: enough to know the topic.
MAX_TEXT = 20_000


def _post_evidence(thread: Thread, post: Post) -> tuple[str, float] | None:
    """Return (kind, weight) of what ``post`` says about its author, or None."""
    question = thread.forum.kind == "questions"
    if post.is_first:
        # Asking shows a need, not knowledge; starting a discussion shares some.
        return None if question else ("post", WEIGHTS["post"])
    votes = min(max(post.score - 1, 0), VOTE_CAP) * VOTE_BONUS
    if question and thread.accepted_post_id == post.id:
        return "accepted", WEIGHTS["accepted"] + (votes if post.score > 0 else 0)
    if post.score > 0:
        return "upvoted", WEIGHTS["upvoted"] + votes
    base = WEIGHTS["answer"] if question else WEIGHTS["post"]
    return ("answer" if question else "post"), (DOWNVOTED if post.score < 0 else base)


def _document(kind: str, source_id: int) -> EvidenceDocument | None:
    return db.session.scalar(
        sa.select(EvidenceDocument).where(
            EvidenceDocument.kind == kind, EvidenceDocument.source_id == source_id
        )
    )


def _clear(document_id: int) -> set[int]:
    """Delete the document's terms, evidence, tags and accounts; return the
    accounts it was about (their pages show its experts: ``portal.versions``)."""
    was_about = set(
        db.session.scalars(
            sa.select(evidence_document_accounts.c.account_id).where(
                evidence_document_accounts.c.document_id == document_id
            )
        )
    )
    for table in (EvidenceTerm.__table__, Evidence.__table__):
        db.session.execute(table.delete().where(table.c.document_id == document_id))
    for table in (evidence_document_tags, evidence_document_accounts):
        db.session.execute(table.delete().where(table.c.document_id == document_id))
    return was_about


def _touch(account_ids) -> None:
    versions.touch(*(versions.account(a) for a in account_ids))


def _remove(kind: str, source_id: int) -> None:
    doc = _document(kind, source_id)
    if doc is not None:
        _touch(_clear(doc.id))
        db.session.execute(
            sa.delete(EvidenceDocument).where(EvidenceDocument.id == doc.id)
        )


def _store(
    kind: str,
    source_id: int,
    *,
    new: bool,
    title: str,
    url: str,
    department_id,
    created_at,
    body: str,
    tag_ids: set[int],
    account_ids: set[int],
    evidence: list[dict],
) -> None:
    doc = None if new else _document(kind, source_id)
    if doc is None:
        doc = EvidenceDocument(kind=kind, source_id=source_id)
        db.session.add(doc)
    doc.title, doc.url = title[:200], url[:500]
    doc.department_id, doc.created_at = department_id, created_at
    counts = Counter(text.terms(body[:MAX_TEXT]))
    doc.length = sum(counts.values())
    db.session.flush()
    if not new:  # a rebuild raises every account's version once, at the end
        _touch(_clear(doc.id) | account_ids)
    if counts:
        db.session.execute(
            EvidenceTerm.__table__.insert(),
            [
                {"term": t, "document_id": doc.id, "tf": min(n, 32000)}
                for t, n in counts.items()
            ],
        )
    if tag_ids:
        db.session.execute(
            evidence_document_tags.insert(),
            [{"document_id": doc.id, "tag_id": t} for t in tag_ids],
        )
    if account_ids:
        db.session.execute(
            evidence_document_accounts.insert(),
            [{"document_id": doc.id, "account_id": a} for a in account_ids],
        )
    if evidence:
        db.session.execute(
            Evidence.__table__.insert(),
            [{**row, "document_id": doc.id} for row in evidence],
        )
    # The relationships were written behind the ORM's back.
    db.session.expire(doc, ["tags", "accounts"])


def refresh_thread(thread: Thread, *, new: bool = False) -> None:
    """Recompute the document of ``thread`` (removed when it is deleted);
    ``new``: it has none yet (a rebuild), nothing to look up or clear."""
    if thread.deleted_at is not None:
        _remove("thread", thread.id)
        return
    posts = list(
        db.session.scalars(
            sa.select(Post)
            .where(Post.thread_id == thread.id, Post.deleted_at.is_(None))
            .order_by(Post.created_at, Post.id)
        )
    )
    evidence = []
    for post in posts:
        found = _post_evidence(thread, post)
        if found is not None:
            kind, weight = found
            evidence.append(
                {
                    "user_id": post.author_id,
                    "kind": kind,
                    "source_id": post.id,
                    "weight": weight,
                    "at": post.created_at,
                }
            )
    tags = thread.tags
    body = "\n".join(
        [thread.title, thread.title, *(t.name for t in tags), *(p.body for p in posts)]
    )
    _store(
        "thread",
        thread.id,
        new=new,
        title=thread.title,
        url=thread.url,
        department_id=thread.forum.department_id,
        created_at=thread.created_at,
        body=body,
        tag_ids={t.id for t in tags},
        account_ids={a.id for a in thread.accounts},
        evidence=evidence,
    )


def refresh_page(page: Page, *, new: bool = False) -> None:
    """Recompute the document of ``page`` (removed when it is deleted);
    ``new`` as for ``refresh_thread``."""
    current = page.current_revision
    if page.deleted_at is not None or current is None:
        _remove("page", page.id)
        return
    # When each person last wrote on the page dates their evidence.
    last_written = dict(
        db.session.execute(
            sa.select(Revision.author_id, sa.func.max(Revision.created_at))
            .where(Revision.page_id == page.id, Revision.author_id.is_not(None))
            .group_by(Revision.author_id)
        ).all()
    )
    evidence = []
    for user_id, share in contributors.shares(page.id):
        at = last_written.get(user_id) or current.created_at
        row = {"user_id": user_id, "source_id": page.id, "at": at}
        evidence.append({**row, "kind": "page", "weight": WEIGHTS["page"] * share})
        if page.state == "validated":
            evidence.append(
                {**row, "kind": "validated", "weight": WEIGHTS["validated"] * share}
            )
    tags = page.tags
    accounts = {a.id for a in page.accounts}
    if page.account_id is not None:
        accounts.add(page.account_id)
    body = "\n".join([page.title, page.title, *(t.name for t in tags), current.body])
    _store(
        "page",
        page.id,
        new=new,
        title=page.title,
        url=page.url,
        department_id=None,
        created_at=page.created_at,
        body=body,
        tag_ids={t.id for t in tags},
        account_ids=accounts,
        evidence=evidence,
    )


def _done_with_batch(kept: set) -> None:
    """Write a batch and forget the rows it read (but those in ``kept``, the
    caller's): the rebuild is one transaction, and a session holding every
    thread, post and page it has read grows with the database (at size M,
    400,000 posts)."""
    db.session.flush()
    for key, obj in list(db.session.identity_map.items()):
        if key not in kept:
            db.session.expunge(obj)
    if db.session.get_bind().dialect.name == "postgresql":
        # PostgreSQL plans each foreign-key check once per connection, on the
        # table's size then: at the first document of a rebuild, evidence
        # documents are one row, and the plan reads the whole table. Fresh
        # statistics make it plan again as the table grows (at size M,
        # without this, the rebuild's checks alone took hours).
        db.session.execute(sa.text(f"ANALYZE {EvidenceDocument.__tablename__}"))


def rebuild(batch: int = 200) -> dict[str, int]:
    """Recompute every document from the database; return what was done."""
    for table in (
        Evidence.__table__,
        EvidenceTerm.__table__,
        evidence_document_tags,
        evidence_document_accounts,
        EvidenceDocument.__table__,
    ):
        db.session.execute(table.delete())
    kept = set(db.session.identity_map.keys())
    counts = {"threads": 0, "pages": 0}
    last = 0
    while True:
        threads = list(
            db.session.scalars(
                sa.select(Thread)
                .where(Thread.id > last, Thread.deleted_at.is_(None))
                .order_by(Thread.id)
                .limit(batch)
                .options(
                    selectinload(Thread.forum),
                    selectinload(Thread.tags),
                    selectinload(Thread.accounts),
                )
            )
        )
        if not threads:
            break
        for thread in threads:
            refresh_thread(thread, new=True)
        counts["threads"] += len(threads)
        last = threads[-1].id
        _done_with_batch(kept)
    last = 0
    while True:
        pages = list(
            db.session.scalars(
                sa.select(Page)
                .where(Page.id > last, Page.deleted_at.is_(None))
                .order_by(Page.id)
                .limit(batch)
                .options(
                    selectinload(Page.current_revision),
                    selectinload(Page.tags),
                    selectinload(Page.accounts),
                )
            )
        )
        if not pages:
            break
        for page in pages:
            refresh_page(page, new=True)
        counts["pages"] += len(pages)
        last = pages[-1].id
        _done_with_batch(kept)
    counts["evidence"] = db.session.scalar(sa.select(sa.func.count(Evidence.id)))
    # Every account's experts may have changed.
    versions.touch(versions.ALL)
    return counts
