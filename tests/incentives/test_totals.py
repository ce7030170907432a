"""Monthly point totals: kept by every ledger write, the source of ranks and
balances, checked and rebuilt by ``incentives recompute``."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from portal import clock
from portal.auth import service as auth_service
from portal.extensions import db
from portal.incentives import leaderboard, ledger, totals
from portal.incentives.models import PointEntry, PointTotal
from tests.incentives.conftest import give as award_at
from tests.querycount import queries_for

NOW = datetime(2026, 5, 20, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def now(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


def give(user, points, when=NOW, key=None):
    return award_at(user, points, when, key)


def stored(user) -> dict[date, int]:
    return dict(
        db.session.execute(
            sa.select(PointTotal.month, PointTotal.points).where(
                PointTotal.user_id == user.id
            )
        ).all()
    )


def test_every_ledger_write_keeps_the_months_total(make):
    uma = make.user("uma")
    give(uma, 10)
    first = give(uma, 5, key="once")
    assert give(uma, 5, key="once") is None, "the same award counts once"
    give(uma, 7, datetime(2026, 4, 30, 23, 59, tzinfo=UTC))
    give(uma, 3, datetime(2026, 5, 1, 0, 0, tzinfo=UTC))
    ledger.reverse(first, "withdrawn")
    db.session.commit()
    assert stored(uma) == {date(2026, 5, 1): 13, date(2026, 4, 1): 7}
    assert ledger.balance(uma.id) == 20
    assert totals.differences() == []


def test_a_zero_point_award_still_puts_the_person_on_the_board(make):
    zed = make.user("zed")
    give(zed, 4)
    entry = db.session.scalar(sa.select(PointEntry))
    ledger.reverse(entry, "withdrawn")
    db.session.commit()
    standing = leaderboard.rank_of(zed, leaderboard.period("month"))
    board = leaderboard.board(leaderboard.period("month"), viewer=zed)
    assert standing == board.mine and standing.points == 0


def test_the_month_rank_agrees_with_the_board(make):
    # Ties (two on 50, three on 20), someone who left, and someone with
    # points only last month.
    points = {"ann": 90, "bo": 50, "cy": 50, "di": 20, "ed": 20, "fay": 20, "gus": 5}
    people = {name: make.user(name) for name in points}
    for name, value in points.items():
        give(people[name], value)
    gone = make.user("gone")
    give(gone, 70)
    auth_service.deactivate(gone)
    old = make.user("old")
    give(old, 999, datetime(2026, 4, 2, tzinfo=UTC))
    db.session.commit()
    month = leaderboard.period("month")
    for name, user in people.items():
        expected = leaderboard.board(month, viewer=user).mine
        assert leaderboard.rank_of(user, month) == expected, name
    assert leaderboard.rank_of(people["di"], month).rank == 4
    assert leaderboard.rank_of(gone, month) is None
    assert leaderboard.rank_of(old, month) is None


def test_recompute_finds_and_rebuilds_stale_totals(make, runner):
    uma = make.user("uma")
    give(uma, 10)
    db.session.execute(sa.update(PointTotal).values(points=99))
    db.session.commit()
    result = runner.invoke(args=["incentives", "recompute"])
    assert "1 monthly totals differ from the ledger" in result.output
    assert stored(uma) == {date(2026, 5, 1): 99}, "a report writes nothing"
    result = runner.invoke(args=["incentives", "recompute", "--apply"])
    assert "1 monthly totals rebuilt" in result.output
    assert stored(uma) == {date(2026, 5, 1): 10}
    assert totals.differences() == []


def test_profile_page_queries_do_not_grow_with_the_ledger(login, make):
    uma = make.user("uma")
    others = [make.user(f"o{i}") for i in range(3)]
    give(uma, 10)
    for i, other in enumerate(others):
        give(other, 5 * i + 1)
    client = login(uma)
    few = queries_for(client, "/u/uma")
    for day in range(1, 20):
        give(uma, day, datetime(2026, 5, day, tzinfo=UTC))
        give(uma, day, datetime(2026, 3, day, tzinfo=UTC))
        for other in others:
            give(other, day, datetime(2026, 5, day, 1, tzinfo=UTC))

    assert queries_for(client, "/u/uma") == few
