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
    rows = db.session.execute(
        sa.select(Revision.author_id, Revision.size, Revision.change_size)
        .where(Revision.page_id == page_id)
        .order_by(Revision.number)
    ).all()
    added: dict[int, int] = defaultdict(int)
    previous = 0
    for author_id, size, change_size in rows:
        grown = size - previous
        previous = size
        if author_id is None:
            continue
        added[author_id] += max(0, (change_size + grown) // 2)
    total = sum(added.values())
    if not total:
        return []
    return sorted(
        ((uid, n / total) for uid, n in added.items() if n),
        key=lambda item: (-item[1], item[0]),
    )
