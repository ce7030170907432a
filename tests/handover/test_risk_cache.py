"""The account's knowledge at risk is remembered between views, and every
write that changes who knows the account is seen on the next view; what one
reader may see is never shown to another who may not."""

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.forums import service as forums_service
from portal.forums.models import Post
from portal.handover import at_risk
from portal.wiki import service as wiki_service
from tests.forums.factories import make_forum, make_reply, make_thread
from tests.querycount import count_statements

# The evidence is counted from the start of the hour: a second view must fall
# in the same one.
pytestmark = pytest.mark.usefixtures("steady_clock")


def _who(account, viewer=None) -> set[str]:
    # Each view in a transaction of its own, as a request is.
    db.session.commit()
    risk = at_risk.risk_for_account(account, viewer=viewer)
    return {p["username"] for p in risk["people"]}


@pytest.fixture
def acme(people, make_account, evidence_for):
    account = make_account("ACME")
    evidence_for(account, people.leaver, people.successor)
    return account


def test_a_second_view_does_not_add_the_evidence_up_again(people, acme):
    db.session.commit()
    first = count_statements(lambda: at_risk.risk_for_account(acme))
    db.session.commit()
    again = count_statements(lambda: at_risk.risk_for_account(acme))
    assert again == first - 1
    assert _who(acme) == {"liwei", "wang"}


def test_posts_answers_and_deletions_are_seen_at_once(people, acme, qforum):
    assert _who(acme) == {"liwei", "wang"}
    thread = make_thread(qforum, people.bystander, "Who signs?", accounts=[acme])
    assert "zed" in _who(acme)
    reply = make_reply(thread, people.second, "The CFO.")
    assert "sun" in _who(acme)
    forums_service.accept_answer(thread, reply, people.bystander)
    db.session.commit()
    accepted = at_risk.risk_for_account(acme)["people"]
    assert next(p for p in accepted if p["username"] == "sun")["score"] == 5.0
    forums_service.delete_post(reply, people.manager)
    db.session.commit()
    assert "sun" not in _who(acme)
    forums_service.restore_post(reply, people.manager)
    db.session.commit()
    assert "sun" in _who(acme)


def test_a_thread_taken_off_the_account_leaves_its_risk(
    people, acme, make_account, qforum
):
    other = make_account("Globex")
    thread = make_thread(qforum, people.bystander, "Renewal", accounts=[acme])
    assert "zed" in _who(acme)
    first = db.session.scalar(
        sa.select(Post).where(Post.thread_id == thread.id, Post.is_first)
    )
    forums_service.edit_post(first, people.bystander, "Renewal.", accounts=[other])
    db.session.commit()
    assert "zed" not in _who(acme)
    assert "zed" in _who(other)
    # The link alone, with nothing else in the flush.
    thread.accounts = [acme]
    db.session.commit()
    assert "zed" in _who(acme)
    thread.accounts = [other]
    db.session.commit()
    assert "zed" not in _who(acme)


def test_pages_about_the_account_count_and_stop_counting(
    people, acme, make_account, write_profile
):
    write_profile(acme, people.bystander)
    assert "zed" in _who(acme)
    other = make_account("Globex")
    page = wiki_service.create_page(
        "ACME contacts", "Call the CFO.", people.second, accounts=[acme]
    )
    db.session.commit()
    assert "sun" in _who(acme)
    wiki_service.edit_page(
        page,
        "Call the CFO. " * 3,
        people.second,
        base_revision=page.current_revision.number,
        accounts=[other],
    )
    db.session.commit()
    assert "sun" not in _who(acme)
    assert "sun" in _who(other)
    page.accounts = [acme]
    db.session.commit()
    assert "sun" in _who(acme)
    page.accounts = []
    db.session.commit()
    assert "sun" not in _who(acme)


def test_people_who_leave_or_change_their_name(people, acme):
    assert _who(acme) == {"liwei", "wang"}
    people.successor.display_name = "Wang Fang-Li"
    db.session.commit()
    names = {p["name"] for p in at_risk.risk_for_account(acme)["people"]}
    assert "Wang Fang-Li" in names
    people.leaver.active = False
    db.session.commit()
    assert _who(acme) == {"wang"}


def test_a_restricted_forum_is_never_shown_to_outsiders(
    people, acme, make, make_account
):
    support = people.other_manager.department
    secret = make_forum("Support only", department=support)
    insider = make.user("ina", department=support)
    outsider = people.bystander
    make_thread(secret, insider, "Their outage", accounts=[acme])
    # The insider views first: what they may see is remembered for them only.
    assert "ina" in _who(acme, insider)
    assert "ina" not in _who(acme, outsider)
    assert "ina" in _who(acme, people.hr)  # risk is assessed from everything
    # Moving a thread into the restricted forum takes it out of outsiders' view.
    open_forum = make_forum("Open")
    thread = make_thread(open_forum, make.user("olaf"), "Open talk", accounts=[acme])
    assert "olaf" in _who(acme, outsider)
    forums_service.move_thread(thread, people.manager, secret)
    db.session.commit()
    assert "olaf" not in _who(acme, outsider)
    assert "olaf" in _who(acme, insider)


def test_a_write_rolled_back_leaves_nothing_behind(people, acme, qforum):
    assert _who(acme) == {"liwei", "wang"}
    thread = forums_service.create_thread(
        qforum, people.bystander, "Draft", "Who?", accounts=[acme]
    )
    db.session.flush()
    # Inside the transaction the write is seen, and not remembered.
    assert "zed" in {p["username"] for p in at_risk.risk_for_account(acme)["people"]}
    db.session.rollback()
    assert _who(acme) == {"liwei", "wang"}
    make_thread(qforum, people.second, "Real one", accounts=[acme])
    assert _who(acme) == {"liwei", "wang", "sun"}
    assert thread is not None
