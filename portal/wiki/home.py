"""The wiki's blocks on the home page: pages the viewer should review, and for
someone who has written nothing yet, the pages most others link to."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal import clock, signals
from portal.extensions import db
from portal.signals import Panel
from portal.wiki import service
from portal.wiki.models import Page, Revision, WikiLink

LIMIT = 6
# Review-due pages the viewer wrote in, checked one by one for whether they
# are its reviewer (the main author still here); enough to fill the block.
CANDIDATES = 20


def to_review(viewer, limit: int = LIMIT) -> list[Page]:
    """Review-due pages whose reviewer is ``viewer``, longest unreviewed first."""
    reviewed = sa.func.coalesce(Page.last_reviewed_at, Page.created_at)
    stmt = (
        sa.select(Page)
        .where(
            Page.id.in_(
                sa.select(Revision.page_id).where(Revision.author_id == viewer.id)
            ),
            Page.deleted_at.is_(None),
            Page.state != "archived",
            reviewed < clock.now() - service.review_after(),
        )
        .order_by(reviewed, Page.id)
        .limit(CANDIDATES)
    )
    candidates = list(db.session.scalars(stmt))
    reviewers = service.reviewers(candidates)
    return [
        page
        for page in candidates
        if reviewers[page.id] is not None and reviewers[page.id].id == viewer.id
    ][:limit]


def popular(limit: int = LIMIT) -> list[Page]:
    """Published and validated pages, the most linked-to first."""
    links = (
        sa.select(WikiLink.to_slug, sa.func.count().label("n"))
        .group_by(WikiLink.to_slug)
        .subquery()
    )
    stmt = (
        sa.select(Page)
        .outerjoin(links, links.c.to_slug == Page.slug)
        .where(Page.deleted_at.is_(None), Page.state.in_(("published", "validated")))
        .order_by(
            sa.func.coalesce(links.c.n, 0).desc(),
            sa.case((Page.state == "validated", 0), else_=1),
            Page.updated_at.desc(),
        )
        .limit(limit)
        .options(selectinload(Page.tags))
    )
    return list(db.session.scalars(stmt))


def _has_written(viewer) -> bool:
    return (
        db.session.scalar(
            sa.select(Revision.id).where(Revision.author_id == viewer.id).limit(1)
        )
        is not None
    )


def review_panel(viewer, **_):
    pages = to_review(viewer)
    if not pages:
        return None
    return Panel("wiki/_home_review.html", {"pages": pages}, order=40)


def popular_panel(viewer, **_):
    if _has_written(viewer):
        return None
    pages = popular()
    if not pages:
        return None
    return Panel("wiki/_home_popular.html", {"pages": pages}, order=42)


def init_app(app) -> None:
    signals.home_panels.connect(review_panel)
    signals.home_panels.connect(popular_panel)
