"""The leaderboard: who earned most in a calendar period, and where the viewer stands.

One query: each person's points in the period, ranked with window functions,
keeping the top ten and the viewer with the two people above and below them.
Periods made of whole months read the monthly totals (``totals``: one row per
person and month); a week sums its ledger rows (``created_at`` is indexed).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from portal import clock
from portal.auth.models import Department, User
from portal.errors import Invalid, NotFound
from portal.extensions import db
from portal.incentives import rules as rules_module
from portal.incentives.models import PointEntry, PointTotal

PERIODS = ("week", "month", "quarter", "year", "all")
TOP = 10
AROUND = 2


@dataclass(frozen=True)
class Period:
    name: str
    offset: int
    start: datetime | None
    end: datetime | None

    @property
    def first_day(self) -> date | None:
        return self.start.date() if self.start else None

    @property
    def last_day(self) -> date | None:
        return (self.end - timedelta(days=1)).date() if self.end else None


@dataclass(frozen=True)
class Standing:
    rank: int
    position: int
    user: User
    points: int


@dataclass
class Board:
    period: Period
    top: list[Standing]
    around: list[Standing]  # the viewer and their neighbours, if not in the top
    mine: Standing | None
    ranked: int  # how many people have points in the period


def _start_of(name: str, moment: datetime) -> datetime:
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if name == "week":
        return datetime.fromordinal(day.toordinal() - day.weekday()).replace(tzinfo=UTC)
    if name == "month":
        return day.replace(day=1)
    if name == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def _shift(name: str, start: datetime, periods: int) -> datetime:
    """Return the start of the period ``periods`` after the one at ``start``."""
    if name == "week":
        return datetime.fromordinal(start.toordinal() + 7 * periods).replace(tzinfo=UTC)
    months = {"month": 1, "quarter": 3, "year": 12}[name] * periods
    index = start.year * 12 + start.month - 1 + months
    return start.replace(year=index // 12, month=index % 12 + 1, day=1)


def period(name: str | None = "month", offset=0, *, now: datetime | None = None):
    """Return the calendar period (UTC) ``name``, ``offset`` periods back.

    :raises Invalid: when the period is unknown or the offset is not a whole
        number of periods, zero or more.
    """
    name = name or "month"
    if name not in PERIODS:
        raise Invalid(
            _(
                "Unknown period “%(period)s”: choose week, month, quarter, year "
                "or all.",
                period=name,
            ),
            details={"field": "period"},
        )
    try:
        offset = int(offset or 0)
    except (TypeError, ValueError):
        raise Invalid(
            _("The period offset must be a whole number."),
            details={"field": "offset"},
        ) from None
    if offset < 0:
        raise Invalid(
            _("The period offset cannot be negative: the future has no points yet."),
            details={"field": "offset"},
        )
    if name == "all":
        return Period(name, 0, None, None)
    if offset > 1000:
        raise Invalid(_("That period is too far back."), details={"field": "offset"})
    current = _start_of(name, now or clock.now())
    start = _shift(name, current, -offset)
    return Period(name, offset, start, _shift(name, start, 1))


def department(value) -> Department | None:
    """Return the department a filter names (its id), or None for all.

    :raises Invalid: when the value is not an id.
    :raises NotFound: when no department has that id.
    """
    if value in (None, ""):
        return None
    try:
        dept_id = int(value)
    except (TypeError, ValueError):
        raise Invalid(
            _("A department is chosen by its number."), details={"field": "department"}
        ) from None
    dept = db.session.get(Department, dept_id)
    if dept is None:
        raise NotFound(
            _("There is no department with the number %(id)s.", id=dept_id),
            details={"field": "department"},
        )
    return dept


def eligible_clause(settings: dict | None = None):
    """Return a clause on ``User``: who may appear on the leaderboard.

    People who left, deactivated accounts and the groups admins excluded
    (e.g. HR and administrators) do not compete.
    """
    settings = settings or rules_module.settings()
    clauses = [User.active.is_(True), User.left_at.is_(None)]
    if settings["excluded_roles"]:
        clauses.append(User.role.not_in(settings["excluded_roles"]))
    if settings["excluded_departments"]:
        clauses.append(
            sa.or_(
                User.department_id.is_(None),
                User.department_id.not_in(settings["excluded_departments"]),
            )
        )
    return sa.and_(*clauses)


def _points_in(span: Period):
    """Return a select of ``(user_id, points)``: each person's sum in ``span``."""
    if span.name == "week":
        return (
            sa.select(
                PointEntry.user_id, sa.func.sum(PointEntry.points).label("points")
            )
            .where(
                PointEntry.created_at >= span.start, PointEntry.created_at < span.end
            )
            .group_by(PointEntry.user_id)
        )
    stmt = sa.select(
        PointTotal.user_id, sa.func.sum(PointTotal.points).label("points")
    ).group_by(PointTotal.user_id)
    if span.start is not None:
        stmt = stmt.where(
            PointTotal.month >= span.start.date(), PointTotal.month < span.end.date()
        )
    return stmt


def _ranked(span: Period, dept: Department | None):
    totals = _points_in(span).subquery()
    order = totals.c.points.desc()
    stmt = (
        sa.select(
            totals.c.user_id,
            totals.c.points,
            sa.func.rank().over(order_by=order).label("rank"),
            sa.func.row_number().over(order_by=(order, totals.c.user_id)).label("pos"),
            sa.func.count().over().label("ranked"),
        )
        .join(User, User.id == totals.c.user_id)
        .where(eligible_clause())
    )
    if dept is not None:
        stmt = stmt.where(User.department_id == dept.id)
    return stmt.cte("ranked")


def board(span: Period, *, viewer=None, dept: Department | None = None) -> Board:
    """Return the top ten of ``span`` and the viewer's neighbourhood."""
    ranked = _ranked(span, dept)
    keep = ranked.c.pos <= TOP
    if viewer is not None:
        mine = (
            sa.select(ranked.c.pos)
            .where(ranked.c.user_id == viewer.id)
            .scalar_subquery()
        )
        keep = sa.or_(keep, ranked.c.pos.between(mine - AROUND, mine + AROUND))
    rows = db.session.execute(
        sa.select(User, ranked.c.points, ranked.c.rank, ranked.c.pos, ranked.c.ranked)
        .join(ranked, ranked.c.user_id == User.id)
        .where(keep)
        .order_by(ranked.c.pos)
        .options(sa.orm.joinedload(User.department))
    ).all()
    standings = [
        Standing(int(rank), int(pos), user, int(points))
        for user, points, rank, pos, _n in rows
    ]
    top = [s for s in standings if s.position <= TOP]
    mine = next(
        (s for s in standings if viewer is not None and s.user.id == viewer.id), None
    )
    around = (
        [s for s in standings if s.position > TOP]
        if mine is not None and mine.position > TOP
        else []
    )
    return Board(span, top, around, mine, int(rows[0][4]) if rows else 0)


def rank_of(user, span: Period) -> Standing | None:
    """Return ``user``'s standing in ``span`` (None: no points, or not competing).

    For a month, index lookups in the monthly totals: the person's row, and
    how many competitors have more points (or as many and come first).
    """
    if span.name != "month":
        return board(span, viewer=user).mine
    month = span.start.date()
    this_month = sa.and_(PointTotal.month == month, eligible_clause())
    mine = (
        sa.select(PointTotal.points.label("points"))
        .join(User, User.id == PointTotal.user_id)
        .where(this_month, PointTotal.user_id == user.id)
        .cte("mine")
    )
    # One statement: the person's row, and the competitors at or above it
    # (the person among them, so a person with points always gets a row).
    row = db.session.execute(
        sa.select(
            mine.c.points,
            sa.func.count().filter(PointTotal.points > mine.c.points),
            sa.func.count().filter(
                PointTotal.points == mine.c.points, PointTotal.user_id < user.id
            ),
        )
        .select_from(mine)
        .join(PointTotal, PointTotal.points >= mine.c.points)
        .join(User, User.id == PointTotal.user_id)
        .where(this_month)
        .group_by(mine.c.points)
    ).first()
    if row is None:
        return None
    mine, more, ahead_on_tie = row
    return Standing(more + 1, more + ahead_on_tie + 1, user, mine)
