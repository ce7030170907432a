"""Demo points: the forums and wiki demos earned them through the signals as
they seeded; this checks the ledger against the content and completes it."""

import sqlalchemy as sa

from portal.extensions import db
from portal.incentives import service
from portal.incentives.models import PointEntry


def seed(rng) -> str:
    differences, awarded = service.recompute(apply=True)
    rows, people = db.session.execute(
        sa.select(
            sa.func.count(PointEntry.id), sa.func.count(sa.distinct(PointEntry.user_id))
        )
    ).one()
    return (
        f"{len(differences)} ledger corrections, {len(awarded)} badges awarded; "
        f"{rows} ledger rows for {people} people"
    )
