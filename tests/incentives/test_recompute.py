"""Recalculation: the ledger rebuilt from the content agrees with the one the
handlers kept, and corrects it after rule changes, never editing a row."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from portal import clock
from portal.extensions import db
from portal.forums import service as forums
from portal.forums.models import Vote
from portal.incentives import rules, service, suspicious
from portal.incentives.models import PointEntry
from portal.wiki import service as wiki
from portal.wiki import writeup
from tests.forums.factories import make_reply, make_thread
from tests.incentives.conftest import accept, balance, unaccept, vote

LONG = "A customer-facing fact worth keeping. " * 8


@pytest.fixture
def busy(monkeypatch, make, questions, moderator):
    """A week of everything: votes, changed votes, accepts, deletions, pages,
    links, a capped day and a moderated pair."""
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 2, 2, 10, tzinfo=UTC))
    rules.update_settings(daily_vote_cap=30)
    people = [make.user(f"u{i}") for i in range(6)]
    a, b, c, d, e, f = people
    q1 = make_thread(questions, a, "Q1", "?")
    q2 = make_thread(questions, b, "Q2", "?")
    r1 = make_reply(q1, b, "Answer by b, see [[Playbook]]")
    r2 = make_reply(q1, c, "Answer by c")
    r3 = make_reply(q2, a, "Answer by a")
    make_reply(q2, b, "Own answer")
    for voter in (c, d, e, f):
        vote(r1, voter, 1)  # b is capped at 30
    vote(r2, d, -1)
    vote(r2, e, 1)
    vote(r2, e, -1)
    vote(r3, c, 1)
    vote(r3, d, 1)
    vote(r3, d, 0)
    accept(q1, r1, a)
    unaccept(q1, a)
    accept(q1, r2, a)
    accept(q2, r3, b)
    forums.delete_post(r3, moderator)
    db.session.commit()
    page = wiki.create_page("Playbook", LONG, c)
    wiki.create_page("Notes", "See [[Playbook]].", d)
    wiki.change_state(page, "validated", moderator)
    db.session.commit()
    draft = writeup.write_up(q1, d)
    db.session.commit()
    wiki.edit_page(draft, LONG + "\nEdited.", d, base_revision=1)
    db.session.commit()
    for i in range(5):
        thread = make_thread(questions, make.user(f"x{i}"), f"X{i}", "?")
        vote(make_reply(thread, e, "mine"), f, 1)
    suspicious.reverse_pair(f.id, e.id, moderator)
    db.session.commit()
    return people


def test_the_handlers_ledger_matches_the_content(busy):
    differences, _ = service.recompute()
    assert differences == []


def test_a_rule_change_is_reported_and_applied(busy, runner):
    a, b, c, d, e, f = busy
    rules.set_rule("answer_posted", points=3, enabled=True, seci="socialization")
    rules.set_rule("accepted_asker", points=0, enabled=True, seci="socialization")
    db.session.commit()
    before = balance(c)
    result = runner.invoke(args=["incentives", "recompute"])
    assert "changed" in result.output and "answer_posted" in result.output
    assert "extra" in result.output and "accepted_asker" in result.output
    assert "run again with --apply" in result.output
    assert balance(c) == before, "a report writes nothing"
    rows_before = db.session.scalar(sa.select(sa.func.count(PointEntry.id)))
    result = runner.invoke(args=["incentives", "recompute", "--apply"])
    assert "differences corrected" in result.output
    assert balance(c) == before + 1
    # The asker's bonus is worth nothing now and r3 was deleted: what is left
    # is the write-up of a's question.
    assert balance(a) == 5
    assert db.session.scalar(sa.select(sa.func.count(PointEntry.id))) > rows_before
    assert service.recompute()[0] == []


def test_a_missed_event_is_found_and_awarded(busy):
    a, b, c, d, e, f = busy
    # A vote written behind the service's back (a failed handler, an import).
    post = make_reply(
        db.session.scalar(sa.select(forums.Thread).limit(1)), f, "Late answer"
    )
    db.session.add(Vote(post_id=post.id, user_id=c.id, value=1))
    db.session.commit()
    (difference,) = service.recompute()[0]
    assert (difference.kind, difference.rule, difference.user_id) == (
        "missing",
        "answer_upvoted",
        f.id,
    )
    service.recompute(apply=True)
    db.session.commit()
    assert service.recompute()[0] == []


def test_moderated_and_capped_awards_are_left_alone(busy):
    a, b, c, d, e, f = busy
    assert balance(e) < 5 * 2 + 5 * 10
    service.recompute(apply=True)
    db.session.commit()
    assert any(p.capped for p in db.session.scalars(sa.select(PointEntry)))
    assert service.recompute()[0] == []


def test_recompute_awards_missing_badges(busy):
    from portal.incentives.models import UserBadge

    db.session.execute(sa.delete(UserBadge))
    db.session.commit()
    _, awarded = service.recompute(apply=True)
    db.session.commit()
    assert "helper" in {key for _uid, key in awarded}
