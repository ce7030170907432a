"""The demo: the ledger is completed from what the other demos wrote, once."""

import random

from portal import clock
from portal.extensions import db
from portal.incentives import demo, leaderboard
from portal.wiki import service as wiki
from tests.incentives.conftest import accept, balance, vote

LONG = "A customer-facing fact worth keeping. " * 8
ROWS = "6 ledger rows for 2 people"


def test_the_demo_completes_the_ledger_once(question, answer, asker, answerer, voter):
    vote(answer, voter, 1)
    accept(question, answer, asker)
    # The wiki demo marks pages validated behind the service's back.
    page = wiki.create_page("Playbook", LONG, answerer)
    page.state, page.last_reviewed_at = "validated", clock.now()
    db.session.commit()
    assert balance(answerer) == 2 + 10 + 15 + 5
    first = demo.seed(random.Random(1))
    db.session.commit()
    assert first == f"1 ledger corrections, 0 badges awarded; {ROWS}"
    assert balance(answerer) == 2 + 10 + 15 + 5 + 10
    second = demo.seed(random.Random(1))
    db.session.commit()
    assert second == f"0 ledger corrections, 0 badges awarded; {ROWS}"
    board = leaderboard.board(leaderboard.period("week"))
    assert [s.user.username for s in board.top][:1] == ["ben"]
