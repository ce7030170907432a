"""The incentives' operations for other packages, views and the CLI.

Other packages award points from their own signal handlers with ``award``
(in the same transaction as their change, never committing), declare their
rules with ``register_rule`` and badges with ``register_badge``, and let
``recompute`` derive their awards with ``register_deriver``.
"""

import sqlalchemy as sa

from portal.extensions import db
from portal.incentives import badges, derive, ledger, totals
from portal.incentives.badges import Badge, register_badge  # noqa: F401
from portal.incentives.derive import register_deriver  # noqa: F401
from portal.incentives.ledger import (  # noqa: F401
    Difference,
    award,
    balance,
    reverse_where,
)
from portal.incentives.models import PointEntry
from portal.incentives.rules import register_rule  # noqa: F401

check_badges = badges.check


def ledger_of(user):
    """Return a select of ``user``'s ledger rows, newest first."""
    return (
        sa.select(PointEntry)
        .where(PointEntry.user_id == user.id)
        .order_by(PointEntry.created_at.desc(), PointEntry.id.desc())
    )


def points_by_seci(user) -> dict[str, int]:
    return {
        seci: int(points)
        for seci, points in db.session.execute(
            sa.select(PointEntry.seci, sa.func.sum(PointEntry.points))
            .where(PointEntry.user_id == user.id)
            .group_by(PointEntry.seci)
        )
    }


def recompute(*, apply: bool = False) -> tuple[list[Difference], list[tuple]]:
    """Derive every award from the content under the rules in force and compare
    with the ledger; with ``apply``, write the correcting rows (never editing
    or deleting one) and award the badges now earned.

    Returns the differences and, when applying, the ``(user id, badge)`` pairs
    awarded.
    """
    differences, plan = ledger.compare(
        derive.expected_everything(), derive.scope_everything()
    )
    awarded = []
    if apply:
        ledger.apply(differences, plan, "recompute")
        db.session.flush()
        # The monthly totals are a cache of the ledger: bring them in line too.
        totals.rebuild()
        from portal.auth.models import User

        for user_id in db.session.scalars(sa.select(User.id).order_by(User.id)):
            awarded += [(user_id, key) for key in badges.check(user_id)]
    return differences, awarded
