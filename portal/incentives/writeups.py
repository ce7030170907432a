"""Awards for threads written up as wiki pages: each author whose posts were
used gets the write-up's points; the person who wrote it up earns by turning
the draft into an article (later revisions), not for the generated draft.

The wiki records which thread a page was written up from
(``ThreadWriteUp``), not which posts it used; the ledger's own awards name
the authors, and a write-up the ledger missed is credited to the authors of
the posts the wiki would use now.
"""

import sqlalchemy as sa

from portal.extensions import db
from portal.forums.models import Thread
from portal.incentives.ledger import Expected
from portal.incentives.models import PointEntry
from portal.wiki.models import Page, ThreadWriteUp


def awards_for(page, authors) -> list[Expected]:
    """Return the awards of one write-up: one per author whose posts were used."""
    seen, expected = set(), []
    for author in authors or ():
        user_id = getattr(author, "id", author)
        if user_id is None or user_id in seen:
            continue
        seen.add(user_id)
        expected.append(
            Expected(
                user_id, "thread_written_up", f"writeup:{page.id}", "page", page.id
            )
        )
    return expected


def written_up(page_ids=None) -> dict[int, int]:
    """Return ``{page id: thread id}`` of the live pages written up from threads."""
    stmt = (
        sa.select(ThreadWriteUp.page_id, ThreadWriteUp.thread_id)
        .join(Page, Page.id == ThreadWriteUp.page_id)
        .where(Page.deleted_at.is_(None))
        .order_by(ThreadWriteUp.id)
    )
    if page_ids is not None:
        stmt = stmt.where(ThreadWriteUp.page_id.in_(list(page_ids)))
    return dict(db.session.execute(stmt).all())


def _authors_now(thread_id: int) -> list[int]:
    from portal.errors import DomainError
    from portal.wiki.writeup import _posts

    thread = db.session.get(Thread, thread_id)
    if thread is None:
        return []
    try:
        question, accepted, best = _posts(thread)
    except DomainError:
        return []
    posts = [p for p in (question, accepted, *best) if p is not None]
    return list(dict.fromkeys(p.author_id for p in posts))


def expected(page_ids=None) -> list[Expected]:
    """Return the write-up awards due for ``page_ids`` (None: all)."""
    pages = written_up(page_ids)
    if not pages:
        return []
    credited: dict[int, list[int]] = {}
    for page_id, user_id in db.session.execute(
        sa.select(PointEntry.source_id, PointEntry.user_id)
        .where(
            PointEntry.rule == "thread_written_up",
            PointEntry.source_type == "page",
            PointEntry.source_id.in_(list(pages)),
            PointEntry.reversal.is_(False),
        )
        .order_by(PointEntry.id)
    ):
        credited.setdefault(page_id, [])
        if user_id not in credited[page_id]:
            credited[page_id].append(user_id)
    out = []
    for page_id, thread_id in pages.items():
        authors = credited.get(page_id) or _authors_now(thread_id)
        out += awards_for(_Id(page_id), authors)
    return out


class _Id:
    def __init__(self, id_: int):
        self.id = id_
