"""Points per person and calendar month, kept beside the append-only ledger.

A leaderboard or a person's rank needs each person's sum over a period.
Summing the ledger's rows of the period on every page view costs as much as
the period has awards (118,600 rows for a month at 2,000 people), so every
ledger write also adds its points to the person's row of that month
(``add``), in the same transaction; the rows are a cache of the ledger, checked
and rebuilt from it by ``incentives recompute`` (``differences``, ``rebuild``).
"""

from collections import defaultdict
from datetime import UTC, date, datetime

import sqlalchemy as sa

from portal.dbtypes import dialect_insert
from portal.extensions import db
from portal.incentives.models import PointEntry, PointTotal


def month_of(moment: datetime) -> date:
    """Return the first day of ``moment``'s calendar month (UTC)."""
    moment = moment.astimezone(UTC)
    return date(moment.year, moment.month, 1)


def add(user_id: int, moment: datetime, points: int) -> None:
    """Add ``points`` to ``user_id``'s total of ``moment``'s month.

    One atomic upsert: two requests awarding the same person at once both
    count. A row is written even for 0 points, as the ledger row it mirrors
    puts the person on the month's leaderboard.
    """
    stmt = dialect_insert(db.session)(PointTotal).values(
        user_id=user_id, month=month_of(moment), points=points
    )
    db.session.execute(
        stmt.on_conflict_do_update(
            index_elements=[PointTotal.user_id, PointTotal.month],
            set_={"points": PointTotal.points + stmt.excluded.points},
        )
    )


def from_ledger() -> dict[tuple[int, date], int]:
    """Return ``{(user_id, month): points}`` summed from the ledger itself."""
    sums: dict[tuple[int, date], int] = defaultdict(int)
    rows = db.session.execute(
        sa.select(
            PointEntry.user_id, PointEntry.created_at, PointEntry.points
        ).execution_options(yield_per=10_000)
    )
    for user_id, created_at, points in rows:
        sums[(user_id, month_of(created_at))] += points
    return dict(sums)


def stored() -> dict[tuple[int, date], int]:
    return {
        (user_id, month): points
        for user_id, month, points in db.session.execute(
            sa.select(PointTotal.user_id, PointTotal.month, PointTotal.points)
        )
    }


def differences() -> list[tuple[int, date, int | None, int | None]]:
    """Return ``(user_id, month, stored, ledger)`` wherever the two disagree."""
    have, due = stored(), from_ledger()
    return sorted(
        (user_id, month, have.get((user_id, month)), due.get((user_id, month)))
        for user_id, month in have.keys() | due.keys()
        if have.get((user_id, month)) != due.get((user_id, month))
    )


def rebuild() -> int:
    """Replace every total with the ledger's sums; return how many rows."""
    due = from_ledger()
    db.session.execute(sa.delete(PointTotal))
    rows = [
        {"user_id": user_id, "month": month, "points": points}
        for (user_id, month), points in due.items()
    ]
    for i in range(0, len(rows), 5000):
        db.session.execute(sa.insert(PointTotal), rows[i : i + 5000])
    return len(rows)
