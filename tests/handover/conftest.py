"""Fixtures for the handover tests: a department with HR, a manager, a leaver,
successors and a bystander; accounts; and helpers that build evidence through
the forums and wiki services (so signals fire as in use)."""

import itertools
from datetime import timedelta

import pytest

from portal import clock
from portal.accounts import service as accounts_service
from portal.extensions import db
from portal.forums import service as forums_service
from portal.handover import service
from portal.wiki import service as wiki_service
from tests.forums.factories import make_forum, make_reply, make_thread

_seq = itertools.count(1)


class People:
    pass


@pytest.fixture
def people(make):
    p = People()
    sales = make.department("Sales")
    other = make.department("Support")
    p.hr = make.user("hr", role="hr", display_name="Helen HR")
    p.manager = make.user(
        "boss", role="moderator", display_name="Mo Boss", department=sales
    )
    p.other_manager = make.user(
        "otherboss", role="moderator", display_name="Olga Boss", department=other
    )
    p.leaver = make.user("liwei", display_name="Li Wei", department=sales)
    p.successor = make.user("wang", display_name="Wang Fang", department=sales)
    p.second = make.user("sun", display_name="Sun Hao", department=sales)
    p.bystander = make.user("zed", display_name="Zed Nobody", department=sales)
    return p


@pytest.fixture
def make_account(app):
    def _make(name=None, tier="standard", **kw):
        n = next(_seq)
        account = accounts_service.create_account(
            name or f"Account {n}", f"CRM-{n:05d}", tier=tier, **kw
        )
        db.session.commit()
        return account

    return _make


@pytest.fixture
def qforum(app):
    return make_forum("Questions", kind="questions")


@pytest.fixture
def evidence_for(qforum):
    """``evidence_for(account, asker, answerer, accept=True)``: a question about
    the account, answered (and accepted) by ``answerer``."""

    def _make(account, asker, answerer=None, accept=True, title=None):
        thread = make_thread(qforum, asker, title, accounts=[account])
        if answerer is not None:
            post = make_reply(thread, answerer, "Here is how it works.")
            if accept:
                forums_service.accept_answer(thread, post, asker)
                db.session.commit()
        return thread

    return _make


@pytest.fixture
def write_profile(app):
    def _write(account, author, body="Who they are: a big insurer."):
        page = wiki_service.save_profile(
            account,
            body,
            author,
            base_revision=(
                wiki_service.profile_page(account).current_revision.number
                if wiki_service.profile_page(account)
                else None
            ),
        )
        db.session.commit()
        return page

    return _write


@pytest.fixture
def open_case(people):
    def _open(leaver=None, successors=None, days=30, actor=None):
        case = service.open_case(
            leaver or people.leaver,
            clock.now().date() + timedelta(days=days),
            successors if successors is not None else [people.successor],
            actor or people.hr,
        )
        db.session.commit()
        return case

    return _open
