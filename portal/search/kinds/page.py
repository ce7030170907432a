"""Wiki pages: the current revision. Deleted pages are left out; archived pages
are marked and rank low."""

from collections import defaultdict

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from portal import signals
from portal.extensions import db
from portal.wiki.models import Page, Revision

KIND = "page"
LABEL = _l("Wiki pages")
ARCHIVED_RANK = 0.3


def load(ids) -> dict:
    from portal.search.kinds import plain_text

    pages = db.session.scalars(
        sa.select(Page)
        .where(Page.id.in_(ids), Page.deleted_at.is_(None))
        .options(
            selectinload(Page.current_revision),
            selectinload(Page.tags),
            selectinload(Page.accounts),
        )
    ).all()
    authors = defaultdict(set)
    for page_id, author_id in db.session.execute(
        sa.select(Revision.page_id, Revision.author_id)
        .where(Revision.page_id.in_([p.id for p in pages]))
        .distinct()
    ):
        if author_id is not None:
            authors[page_id].add(author_id)
    docs = {}
    for p in pages:
        revision = p.current_revision
        if revision is None:
            continue
        accounts = {a.id for a in p.accounts}
        if p.account_id is not None:
            accounts.add(p.account_id)
        archived = p.state == "archived"
        docs[p.id] = {
            "title": p.title,
            "body": plain_text(revision.body_html),
            "url": p.url,
            "date": revision.created_at,
            "scope": "all",
            "accounts": sorted(accounts),
            "tags": [tag.slug for tag in p.tags],
            "authors": sorted(authors[p.id]),
            "flags": ["archived"] if archived else [],
            "rank": ARCHIVED_RANK if archived else 1.0,
            "meta": {"state": p.state},
        }
    return docs


def all_ids():
    return db.session.scalars(
        sa.select(Page.id)
        .where(Page.deleted_at.is_(None), Page.current_revision_id.is_not(None))
        .order_by(Page.id)
    )


def _page(sender, **_):
    return [sender.id]


DIRTY = [
    (signals.page_created, _page),
    (signals.page_revised, _page),
    (signals.page_state_changed, _page),
    (signals.page_renamed, _page),
    (signals.page_deleted, _page),
    (signals.page_restored, _page),
    (signals.thread_written_up, _page),
]
