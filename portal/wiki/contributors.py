"""Who wrote how much of a page, measured from its revisions."""

from collections import defaultdict

import sqlalchemy as sa

from portal.extensions import db
from portal.wiki.models import Revision


def shares(page_id: int) -> list[tuple[int, float]]:
    """Return ``(user_id, share)`` for everyone who added text, largest first.

    A revision's added characters follow from its change size (added plus
    removed) and the change in length (added minus removed); a share is a
    person's added characters over everyone's.
    """
    return shares_by_page([page_id]).get(page_id, [])


def shares_by_page(page_ids) -> dict[int, list[tuple[int, float]]]:
    """Return ``shares`` of several pages at once: ``{page_id: [(user_id, share)]}``
    (pages nobody added text to are left out)."""
    rows = db.session.execute(
        sa.select(
            Revision.page_id, Revision.author_id, Revision.size, Revision.change_size
        )
        .where(Revision.page_id.in_(list(page_ids)))
        .order_by(Revision.page_id, Revision.number)
    ).all()
    added: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    previous: dict[int, int] = defaultdict(int)
    for page_id, author_id, size, change_size in rows:
        grown = size - previous[page_id]
        previous[page_id] = size
        if author_id is None:
            continue
        added[page_id][author_id] += max(0, (change_size + grown) // 2)
    out = {}
    for page_id, by_author in added.items():
        total = sum(by_author.values())
        if total:
            out[page_id] = sorted(
                ((uid, n / total) for uid, n in by_author.items() if n),
                key=lambda item: (-item[1], item[0]),
            )
    return out
