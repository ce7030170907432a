"""HR contribution reports: points by SECI mode, counts and quality signals per
employee and department, monthly trends, drill-down and CSV.

Every number comes from the ledger, so each can be drilled down to the rows
behind it. Points are the sum of all rows created in the period (awards and
reversals); counts are the awards created in the period that stand
(not reversed since).
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from portal import clock
from portal.auth.models import Department, User
from portal.errors import Invalid, NotFound
from portal.extensions import db
from portal.incentives.leaderboard import department  # noqa: F401 (re-exported)
from portal.incentives.models import SECI, PointEntry

MAX_DAYS = 366 * 5

# What each count is made of: the rules whose standing awards it counts.
COUNT_RULES = {
    "answers": ("answer_posted",),
    "accepted": ("answer_accepted",),
    "revisions": ("wiki_revision",),
    "writeups": ("thread_written_up",),
    "upvotes": ("answer_upvoted", "question_upvoted"),
    "downvotes": ("post_downvoted",),
    "reused": ("page_used",),
}
# Knowledge reused by others: accepted answers, write-ups of one's posts,
# pages linked from colleagues' pages and posts.
REUSE = ("accepted", "writeups", "reused")


@dataclass
class Contribution:
    points: dict = field(default_factory=lambda: dict.fromkeys(SECI, 0))
    counts: dict = field(default_factory=lambda: dict.fromkeys(COUNT_RULES, 0))
    pages: int = 0

    @property
    def total(self) -> int:
        return sum(self.points.values())

    @property
    def acceptance_rate(self) -> float | None:
        answers = self.counts["answers"]
        if not answers:
            return None
        return min(1.0, self.counts["accepted"] / answers)

    @property
    def vote_ratio(self) -> float | None:
        up, down = self.counts["upvotes"], self.counts["downvotes"]
        return up / (up + down) if up + down else None

    @property
    def reuse(self) -> int:
        return sum(self.counts[k] for k in REUSE)

    def add(self, other: "Contribution") -> None:
        for k, v in other.points.items():
            self.points[k] += v
        for k, v in other.counts.items():
            self.counts[k] += v
        self.pages += other.pages


@dataclass(frozen=True)
class Span:
    """A report period: whole UTC days from ``first`` to ``last``, inclusive."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime(self.first.year, self.first.month, self.first.day, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return datetime(
            self.last.year, self.last.month, self.last.day, tzinfo=UTC
        ) + timedelta(days=1)

    def months(self) -> list[str]:
        out, y, m = [], self.first.year, self.first.month
        while (y, m) <= (self.last.year, self.last.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


def _parse_date(value: str, field_name: str, label: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except (AttributeError, ValueError):
        raise Invalid(
            _(
                "%(field)s must be a date like 2026-01-31, not “%(value)s”.",
                field=label,
                value=value,
            ),
            details={"field": field_name},
        ) from None


def span(date_from: str | None = None, date_to: str | None = None) -> Span:
    """Return the period from two ISO dates; by default the last twelve months.

    :raises Invalid: when a date is malformed, the start is after the end, or
        the period is longer than five years.
    """
    today = clock.now().date()
    last = _parse_date(date_to, "to", _("The end date")) if date_to else today
    if date_from:
        first = _parse_date(date_from, "from", _("The start date"))
    else:
        index = last.year * 12 + last.month - 1 - 11
        first = date(index // 12, index % 12 + 1, 1)
    if first > last:
        raise Invalid(
            _(
                "The start date %(first)s is after the end date %(last)s.",
                first=first.isoformat(),
                last=last.isoformat(),
            ),
            details={"field": "from"},
        )
    if (last - first).days > MAX_DAYS:
        raise Invalid(
            _("A report covers at most five years."), details={"field": "from"}
        )
    return Span(first, last)


def person(username: str) -> User:
    """:raises NotFound: when there is no such user."""
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise NotFound(_("There is no user called %(name)s.", name=username))
    return user


# --- aggregation ---------------------------------------------------------------------


def _standing():
    """Return (reversal alias, expression: 1 for a standing award else 0)."""
    reversal = aliased(PointEntry)
    standing = sa.case(
        (sa.and_(PointEntry.reversal.is_(False), reversal.id.is_(None)), 1), else_=0
    )
    return reversal, standing


def _aggregate(period: Span, group_col, *filters) -> dict:
    reversal, standing = _standing()
    stmt = (
        sa.select(
            group_col.label("g"),
            PointEntry.seci,
            PointEntry.rule,
            sa.func.sum(PointEntry.points),
            sa.func.sum(standing),
        )
        .join(User, User.id == PointEntry.user_id)
        .outerjoin(reversal, reversal.reverses_id == PointEntry.id)
        .where(
            PointEntry.created_at >= period.start,
            PointEntry.created_at < period.end,
            *filters,
        )
        .group_by(group_col, PointEntry.seci, PointEntry.rule)
    )
    result: dict = defaultdict(Contribution)
    rule_count = {r: k for k, rules in COUNT_RULES.items() for r in rules}
    for g, seci, rule, points, live in db.session.execute(stmt):
        c = result[g]
        c.points[seci] += int(points or 0)
        if rule in rule_count:
            c.counts[rule_count[rule]] += int(live or 0)
    pages = (
        sa.select(group_col, sa.func.count(sa.distinct(PointEntry.source_id)))
        .join(User, User.id == PointEntry.user_id)
        .outerjoin(reversal, reversal.reverses_id == PointEntry.id)
        .where(
            PointEntry.created_at >= period.start,
            PointEntry.created_at < period.end,
            PointEntry.rule == "wiki_revision",
            PointEntry.reversal.is_(False),
            reversal.id.is_(None),
            *filters,
        )
        .group_by(group_col)
    )
    for g, n in db.session.execute(pages):
        result[g].pages = int(n)
    return result


def by_employee(period: Span, dept: Department | None = None):
    """Return ``[(user, Contribution)]`` for everyone with ledger rows in the
    period (in ``dept`` if given), most points first."""
    filters = [User.department_id == dept.id] if dept is not None else []
    data = _aggregate(period, PointEntry.user_id, *filters)
    users = {
        u.id: u
        for u in db.session.scalars(
            sa.select(User)
            .where(User.id.in_(list(data)))
            .options(sa.orm.joinedload(User.department))
        )
    }
    rows = [(users[uid], c) for uid, c in data.items() if uid in users]
    return sorted(rows, key=lambda r: (-r[1].total, r[0].display_name))


def by_department(period: Span):
    """Return ``[(department or None, Contribution, people)]`` for every
    department, most points first; None collects people without one."""
    data = _aggregate(period, User.department_id)
    people = dict(
        db.session.execute(
            sa.select(User.department_id, sa.func.count(User.id)).group_by(
                User.department_id
            )
        ).all()
    )
    depts = list(db.session.scalars(sa.select(Department).order_by(Department.name)))
    rows = [(d, data.get(d.id, Contribution()), people.get(d.id, 0)) for d in depts]
    if None in data:
        rows.append((None, data[None], people.get(None, 0)))
    return sorted(rows, key=lambda r: -r[1].total)


def totals(rows) -> Contribution:
    total = Contribution()
    for row in rows:
        total.add(row[1])
    return total


def _month_expr():
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(
            sa.func.timezone("UTC", PointEntry.created_at), "YYYY-MM"
        )
    return sa.func.strftime("%Y-%m", PointEntry.created_at)


def monthly(period: Span, *, user: User | None = None, dept: Department | None = None):
    """Return ``{seci: [points per month]}`` and the months, for a person, a
    department, or everyone."""
    month = _month_expr().label("month")
    stmt = (
        sa.select(month, PointEntry.seci, sa.func.sum(PointEntry.points))
        .where(
            PointEntry.created_at >= period.start, PointEntry.created_at < period.end
        )
        .group_by(month, PointEntry.seci)
    )
    if user is not None:
        stmt = stmt.where(PointEntry.user_id == user.id)
    if dept is not None:
        stmt = stmt.join(User, User.id == PointEntry.user_id).where(
            User.department_id == dept.id
        )
    months = period.months()
    index = {m: i for i, m in enumerate(months)}
    series = {s: [0] * len(months) for s in SECI}
    for m, seci, points in db.session.execute(stmt):
        if m in index:
            series[seci][index[m]] += int(points or 0)
    return months, series


def drill_rows(
    period: Span,
    *,
    user: User | None = None,
    dept: Department | None = None,
    seci: str | None = None,
    rules: tuple[str, ...] | None = None,
    standing: bool = False,
):
    """Return a select of the ledger rows behind a number of the report.

    :raises Invalid: when the SECI mode is unknown.
    """
    if seci is not None and seci not in SECI:
        raise Invalid(
            _("Unknown SECI mode “%(mode)s”.", mode=seci), details={"field": "seci"}
        )
    stmt = (
        sa.select(PointEntry)
        .join(User, User.id == PointEntry.user_id)
        .where(
            PointEntry.created_at >= period.start, PointEntry.created_at < period.end
        )
        .order_by(PointEntry.created_at.desc(), PointEntry.id.desc())
    )
    if user is not None:
        stmt = stmt.where(PointEntry.user_id == user.id)
    if dept is not None:
        stmt = stmt.where(User.department_id == dept.id)
    if seci is not None:
        stmt = stmt.where(PointEntry.seci == seci)
    if rules:
        stmt = stmt.where(PointEntry.rule.in_(rules))
    if standing:
        reversal, _standing_expr = _standing()
        stmt = stmt.outerjoin(reversal, reversal.reverses_id == PointEntry.id).where(
            PointEntry.reversal.is_(False), reversal.id.is_(None)
        )
    return stmt


# --- CSV ----------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value):
    """Make a text cell safe to open in a spreadsheet: one starting like a
    formula (= + - @, tab, carriage return) is prefixed with an apostrophe.
    Numbers the portal computed are written as numbers."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _percent(value: float | None):
    return "" if value is None else round(value * 100, 1)


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    """Return the CSV Excel opens correctly: UTF-8 with BOM, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralize(h) for h in header])
    for row in rows:
        writer.writerow([neutralize(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _numbers(c: Contribution) -> list:
    return [
        *(c.points[s] for s in SECI),
        c.total,
        c.counts["answers"],
        c.counts["accepted"],
        c.pages,
        c.counts["revisions"],
        c.counts["writeups"],
        c.counts["upvotes"],
        c.counts["downvotes"],
        _percent(c.acceptance_rate),
        _percent(c.vote_ratio),
        c.reuse,
    ]


def _number_header() -> list[str]:
    from portal.incentives.labels import seci_label

    return [
        *(seci_label(s) for s in SECI),
        _("Total points"),
        _("Answers"),
        _("Accepted answers"),
        _("Wiki pages"),
        _("Revisions"),
        _("Write-ups"),
        _("Upvotes received"),
        _("Downvotes received"),
        _("Acceptance rate %"),
        _("Vote ratio %"),
        _("Reuse"),
    ]


def employee_csv(period: Span, dept: Department | None = None) -> bytes:
    header = [_("Username"), _("Display name"), _("Department"), *_number_header()]
    rows = [
        [
            user.username,
            user.display_name,
            user.department.name if user.department else "",
            *_numbers(c),
        ]
        for user, c in by_employee(period, dept)
    ]
    return csv_bytes(header, rows)


def department_csv(period: Span) -> bytes:
    header = [_("Department"), _("Headcount"), *_number_header()]
    rows = [
        [d.name if d else _("(no department)"), people, *_numbers(c)]
        for d, c, people in by_department(period)
    ]
    return csv_bytes(header, rows)
