"""Each forum rule and its anti-gaming cases, through the forums' own services."""

from datetime import UTC, datetime, timedelta

import pytest

from portal import clock
from portal.errors import Forbidden
from portal.extensions import db
from portal.forums import service as forums
from portal.incentives import rules
from tests.forums.factories import make_reply, make_thread
from tests.incentives.conftest import (
    accept,
    balance,
    entries,
    unaccept,
    vote,
)


def rules_of(user) -> list[tuple[str, int]]:
    return [(e.rule, e.points) for e in entries(user)]


# --- answers --------------------------------------------------------------------------


def test_posting_an_answer_earns_two(answer, answerer):
    assert rules_of(answerer) == [("answer_posted", 2)]


def test_answering_your_own_question_earns_nothing(question, asker):
    make_reply(question, asker, "Never mind, I found it.")
    assert balance(asker) == 0


def test_replies_in_discussions_and_questions_themselves_earn_nothing(
    discussion, asker, answerer
):
    thread = make_thread(discussion, asker, "Our visit to ACME", "It went well.")
    make_reply(thread, answerer, "Glad to hear.")
    assert entries() == []


# --- votes ----------------------------------------------------------------------------


def test_an_upvoted_answer_earns_ten_and_a_question_five(
    question, answer, asker, answerer, voter
):
    vote(answer, voter, 1)
    vote(question_post(question), voter, 1)
    assert ("answer_upvoted", 10) in rules_of(answerer)
    assert rules_of(asker) == [("question_upvoted", 5)]
    entry = entries(answerer, "answer_upvoted")[0]
    assert (entry.key, entry.actor_id) == (f"vote:{answer.id}:{voter.id}", voter.id)


def question_post(thread):
    return next(p for p in forums.thread_posts(thread).items if p.is_first)


def test_a_downvote_costs_the_author_two_and_the_voter_one_on_answers(
    question, answer, asker, answerer, voter
):
    vote(answer, voter, -1)
    assert balance(answerer) == 2 - 2
    assert rules_of(voter) == [("downvote_cast", -1)]
    vote(question_post(question), voter, -1)
    assert rules_of(asker) == [("post_downvoted", -2)]
    assert balance(voter) == -1, "downvoting a question costs the voter nothing"


def test_a_changed_vote_reverses_the_old_one(answer, answerer, voter):
    vote(answer, voter, 1)
    vote(answer, voter, -1)
    assert balance(answerer) == 2 + 10 - 10 - 2
    assert balance(voter) == -1
    vote(answer, voter, 1)
    assert balance(answerer) == 2 + 10
    assert balance(voter) == 0
    reasons = {e.reason for e in entries() if e.reversal}
    assert reasons == {"withdrawn"}


def test_a_withdrawn_vote_gives_back_exactly_what_it_gave(answer, answerer, voter):
    vote(answer, voter, 1)
    vote(answer, voter, 0)
    assert balance(answerer) == 2
    upvote, reversal = entries(answerer, "answer_upvoted")
    assert reversal.reverses_id == upvote.id and reversal.points == -10


def test_nobody_earns_from_voting_on_their_own_post(answer, answerer):
    with pytest.raises(Forbidden):
        forums.vote(answer, answerer, 1)
    db.session.rollback()
    assert balance(answerer) == 2


def test_voting_again_the_same_way_counts_once(answer, answerer, voter):
    vote(answer, voter, 1)
    vote(answer, voter, 1)
    assert len(entries(answerer, "answer_upvoted")) == 1


# --- the daily cap on points from votes -----------------------------------------------


@pytest.fixture
def at(monkeypatch):
    """``at(datetime)`` sets the clock."""

    def _at(moment):
        monkeypatch.setattr(clock, "now", lambda: moment)

    return _at


def test_points_from_votes_stop_at_the_daily_cap(app, make, question, answerer, at):
    at(datetime(2026, 3, 2, 9, tzinfo=UTC))
    answer = make_reply(question, answerer, "Here is how.")
    voters = [make.user(f"fan{i}") for i in range(21)]
    for v in voters:
        vote(answer, v, 1)
    upvotes = entries(answerer, "answer_upvoted")
    assert len(upvotes) == 21, "every vote is recorded, also past the cap"
    assert sum(e.points for e in upvotes) == 200
    assert upvotes[-1].capped and upvotes[-1].points == 0
    # The cap is per day: tomorrow's votes count again.
    at(datetime(2026, 3, 3, 9, tzinfo=UTC))
    vote(answer, make.user("late"), 1)
    assert entries(answerer, "answer_upvoted")[-1].points == 10


def test_a_clipped_award_is_reversed_by_what_it_gave(make, question, answerer, at):
    at(datetime(2026, 3, 2, 9, tzinfo=UTC))
    rules.update_settings(daily_vote_cap=25)
    db.session.commit()
    answer = make_reply(question, answerer, "Here is how.")
    a, b, c = make.user("a1"), make.user("b1"), make.user("c1")
    for v in (a, b, c):
        vote(answer, v, 1)
    assert [e.points for e in entries(answerer, "answer_upvoted")] == [10, 10, 5]
    vote(answer, c, 0)
    assert entries(answerer, "answer_upvoted")[-1].points == -5
    assert balance(answerer) == 2 + 20


def test_accepted_answers_are_not_capped(make, question, asker, answerer, at):
    at(datetime(2026, 3, 2, 9, tzinfo=UTC))
    rules.update_settings(daily_vote_cap=10)
    db.session.commit()
    answer = make_reply(question, answerer, "Here is how.")
    vote(answer, make.user("a1"), 1)
    vote(answer, make.user("b1"), 1)
    accept(question, answer, asker)
    assert balance(answerer) == 2 + 10 + 0 + 15


def test_downvotes_are_never_capped(make, question, answerer, at):
    at(datetime(2026, 3, 2, 9, tzinfo=UTC))
    rules.update_settings(daily_vote_cap=0)
    db.session.commit()
    answer = make_reply(question, answerer, "Here is how.")
    vote(answer, make.user("a1"), -1)
    assert balance(answerer) == 2 - 2


# --- accepted answers -----------------------------------------------------------------


def test_an_accepted_answer_earns_the_answerer_fifteen_and_the_asker_two(
    question, answer, asker, answerer
):
    accept(question, answer, asker)
    assert ("answer_accepted", 15) in rules_of(answerer)
    assert rules_of(asker) == [("accepted_asker", 2)]


def test_accept_unaccept_loops_farm_nothing(question, answer, asker, answerer):
    for _ in range(5):
        accept(question, answer, asker)
        unaccept(question, asker)
    assert balance(answerer) == 2
    assert balance(asker) == 0
    accept(question, answer, asker)
    assert balance(answerer) == 2 + 15
    assert balance(asker) == 2
    assert {e.reason for e in entries() if e.reversal} == {"unaccepted"}


def test_switching_the_accepted_answer_moves_the_points(
    make, question, answer, asker, answerer
):
    other = make.user("cleo")
    second = make_reply(question, other, "Better: ask their CFO.")
    accept(question, answer, asker)
    accept(question, second, asker)
    assert balance(answerer) == 2
    assert balance(other) == 2 + 15
    assert balance(asker) == 2


def test_accepting_an_answer_to_your_own_question_earns_nothing(question, asker):
    own = make_reply(question, asker, "Found it myself.")
    accept(question, own, asker)
    assert balance(asker) == 0


def test_a_moderator_accepting_credits_the_answerer(
    question, answer, moderator, answerer, asker
):
    accept(question, answer, moderator)
    assert balance(answerer) == 2 + 15
    assert balance(moderator) == 0


# --- deletion and restoring -----------------------------------------------------------


def test_deleting_an_answer_reverses_everything_it_earned(
    question, answer, asker, answerer, voter, moderator, make
):
    vote(answer, voter, 1)
    downvoter = make.user("dora")
    vote(answer, downvoter, -1)
    accept(question, answer, asker)
    assert balance(answerer) == 2 + 10 - 2 + 15
    forums.delete_post(answer, moderator)
    db.session.commit()
    assert balance(answerer) == 0
    assert balance(asker) == 0
    assert balance(downvoter) == 0, "the downvote's cost is refunded"
    assert {e.reason for e in entries() if e.reversal} >= {"deleted"}
    # Restored, it earns again; the acceptance is gone with the deletion.
    forums.restore_post(answer, moderator)
    db.session.commit()
    assert balance(answerer) == 2 + 10 - 2
    assert balance(downvoter) == -1


def test_deleting_a_question_reverses_its_answers_too(
    question, answer, answerer, asker, voter, moderator
):
    vote(answer, voter, 1)
    vote(question_post(question), voter, 1)
    forums.delete_post(question_post(question), moderator)
    db.session.commit()
    assert balance(answerer) == 0
    assert balance(asker) == 0
    forums.restore_post(question_post(question), moderator)
    db.session.commit()
    assert balance(answerer) == 12
    assert balance(asker) == 5


def test_moving_a_question_to_a_discussion_forum_reverses_answer_points(
    question, answer, answerer, asker, moderator, discussion, voter
):
    vote(answer, voter, 1)
    accept(question, answer, asker)
    forums.move_thread(question, moderator, discussion)
    db.session.commit()
    assert balance(answerer) == 10, "votes still count, answers no longer do"
    assert balance(asker) == 0
    assert {e.reason for e in entries() if e.reversal} == {"moved"}


def test_awards_carry_their_time(question, answerer, at):
    moment = datetime(2026, 1, 5, 8, tzinfo=UTC)
    at(moment)
    make_reply(question, answerer, "x")
    assert entries(answerer)[0].created_at == moment
    assert entries(answerer)[0].created_at > moment - timedelta(seconds=1)
