"""The leaderboard: calendar periods, the top ten, the viewer's own rank."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from portal import clock
from portal.auth import service as auth_service
from portal.extensions import db
from portal.incentives import leaderboard, rules
from tests.incentives.conftest import give as award_at

NOW = datetime(2026, 5, 20, 12, tzinfo=UTC)  # a Wednesday in Q2


@pytest.fixture(autouse=True)
def now(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


def give(user, points, when=NOW, key=None):
    return award_at(user, points, when, key)


def totals(name, offset=0, **kw) -> dict[str, int]:
    board = leaderboard.board(leaderboard.period(name, offset), **kw)
    return {s.user.username: s.points for s in board.top}


def test_calendar_periods_in_utc(make):
    u = make.user("uma")
    give(u, 1, datetime(2026, 5, 18, 0, 0, tzinfo=UTC))  # Monday of this week
    give(u, 10, datetime(2026, 5, 3, 23, 59, tzinfo=UTC))  # this month
    give(u, 100, datetime(2026, 4, 10, tzinfo=UTC))  # this quarter
    give(u, 1000, datetime(2026, 1, 1, tzinfo=UTC))  # this year
    give(u, 10000, datetime(2025, 12, 31, 23, 59, tzinfo=UTC))  # before
    assert totals("week") == {"uma": 1}
    assert totals("month") == {"uma": 11}
    assert totals("quarter") == {"uma": 111}
    assert totals("year") == {"uma": 1111}
    assert totals("all") == {"uma": 11111}
    assert totals("month", 1) == {"uma": 100}
    assert totals("year", 1) == {"uma": 10000}
    assert totals("week", 1) == {}


def test_period_bounds():
    span = leaderboard.period("quarter", 2)
    assert (span.first_day.isoformat(), span.last_day.isoformat()) == (
        "2025-10-01",
        "2025-12-31",
    )
    span = leaderboard.period("week")
    assert (span.first_day.isoformat(), span.last_day.isoformat()) == (
        "2026-05-18",
        "2026-05-24",
    )


@pytest.fixture
def field(make):
    """Sixteen people with 160, 150, … 10 points; p14 has 30."""
    people = [make.user(f"p{i:02d}") for i in range(1, 17)]
    for i, user in enumerate(people):
        give(user, 160 - 10 * i)
    return people


def test_the_top_ten_and_the_viewers_neighbourhood(field):
    viewer = field[13]
    board = leaderboard.board(leaderboard.period("month"), viewer=viewer)
    assert [s.user.username for s in board.top] == [f"p{i:02d}" for i in range(1, 11)]
    assert [s.rank for s in board.top] == list(range(1, 11))
    assert [s.user.username for s in board.around] == [
        "p12",
        "p13",
        "p14",
        "p15",
        "p16",
    ]
    assert (board.mine.rank, board.mine.points) == (14, 30)
    assert board.ranked == 16


def test_a_viewer_in_the_top_ten_has_no_separate_neighbourhood(field):
    board = leaderboard.board(leaderboard.period("month"), viewer=field[2])
    assert board.around == [] and board.mine.rank == 3


def test_ties_share_a_rank(make):
    a, b, c = make.user("ann"), make.user("bea"), make.user("cy")
    give(a, 5)
    give(b, 5)
    give(c, 1)
    board = leaderboard.board(leaderboard.period("month"), viewer=c)
    assert [s.rank for s in board.top] == [1, 1, 3]


def test_the_page_shows_the_viewers_rank_and_neighbours(field, login):
    page = login(field[13]).get("/leaderboard").get_data(as_text=True)
    assert "You are number 14 of 16 with 30 points." in page
    assert page.count('class="incentives-me"') == 1
    for name in ("p01", "p10", "p12", "p16"):
        assert f"/u/{name}" in page
    assert "/u/p11" not in page


def test_department_filter_and_exclusions(make, login):
    sales, hr_dept = make.department("Sales"), make.department("Human Resources")
    s = make.user("sam", department=sales)
    h = make.user("hal", role="hr", department=hr_dept)
    a = make.user("ada", role="admin")
    gone = make.user("gus", department=sales)
    for user in (s, h, a, gone):
        give(user, 10)
    auth_service.deactivate(gone, departed=True)
    db.session.commit()
    assert set(totals("month")) == {"sam", "hal", "ada"}, (
        "people who left never compete"
    )
    assert set(totals("month", dept=sales)) == {"sam"}
    rules.update_settings(excluded_roles=["admin"], excluded_departments=[hr_dept.id])
    db.session.commit()
    assert set(totals("month")) == {"sam"}
    page = login(s).get(f"/leaderboard?department={sales.id}&period=year")
    assert page.status_code == 200 and "/u/sam" in page.get_data(as_text=True)


def test_one_query_whatever_the_number_of_people(field, app):
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        leaderboard.board(leaderboard.period("all"), viewer=field[13])
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    # All time is the sum of the monthly totals, not of every ledger row.
    assert sum("point_totals" in s for s in statements) == 1
    assert not any("point_entries" in s for s in statements)
    # Besides the ranking: BEGIN, the settings (exclusions), the viewer.
    assert len(statements) <= 4


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("period=decade", 400, "Unknown period"),
        ("period=month&offset=-1", 400, "cannot be negative"),
        ("period=month&offset=abc", 400, "whole number"),
        ("department=9999", 404, "no department with the number 9999"),
        ("department=sales", 400, "chosen by its number"),
    ],
)
def test_bad_input_gets_a_clear_message(login, employee, query, status, message):
    response = login(employee).get(f"/leaderboard?{query}")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_an_empty_board_invites(login, employee):
    page = login(employee).get("/leaderboard?period=week").get_data(as_text=True)
    assert "Nobody has points in this period yet" in page
    assert "You have no points in this period yet." in page
