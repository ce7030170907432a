"""The wiki rules: substantial revisions, validated pages, reused pages, write-ups."""

from datetime import UTC, datetime

import pytest

from portal import clock
from portal.accounts.service import create_account
from portal.extensions import db
from portal.forums import service as forums
from portal.incentives import badges, rules
from portal.wiki import service as wiki
from portal.wiki import writeup
from tests.forums.factories import make_reply
from tests.incentives.conftest import accept as accept_answer
from tests.incentives.conftest import balance, entries

LONG = "客户档案 " + "A customer-facing fact worth keeping. " * 8  # > 200 characters


@pytest.fixture
def author(make):
    return make.user("wang", display_name="王芳 Wang Fang")


@pytest.fixture
def editor(make):
    return make.user("li", display_name="李雷 Li Lei")


@pytest.fixture
def at(monkeypatch):
    def _at(moment):
        monkeypatch.setattr(clock, "now", lambda: moment)

    return _at


def write(title, body, by, **kw):
    page = wiki.create_page(title, body, by, **kw)
    db.session.commit()
    return page


def revise(page, body, by):
    revision = wiki.edit_page(
        page, body, by, base_revision=page.current_revision.number
    )
    db.session.commit()
    return revision


def test_a_substantial_new_page_earns_five(author):
    page = write("Renewal playbook", LONG, author)
    (entry,) = entries(author)
    assert (entry.rule, entry.points, entry.seci) == (
        "wiki_revision",
        5,
        "externalization",
    )
    assert (entry.source_type, entry.source_id) == ("page", page.id)


def test_a_small_revision_earns_nothing(author, editor):
    page = write("Renewal playbook", "Short.", author)
    revise(page, "Short, and fixed.", editor)
    assert entries() == []


def test_the_minimum_size_is_a_setting(author):
    rules.update_settings(revision_min_size=5)
    db.session.commit()
    write("Renewal playbook", "Short text.", author)
    assert balance(author) == 5


def test_one_substantial_revision_a_day_per_page_earns(author, at):
    at(datetime(2026, 4, 1, 9, tzinfo=UTC))
    page = write("Renewal playbook", LONG, author)
    revise(page, LONG + "\n" + "More, and more. " * 20, author)
    revise(page, LONG, author)
    assert balance(author) == 5, "adding and removing text again farms nothing"
    at(datetime(2026, 4, 2, 9, tzinfo=UTC))
    revise(page, LONG + "\n" + "A new day's insight. " * 12, author)
    assert balance(author) == 10


def test_an_account_profile_counts_as_combination(author):
    account = create_account("华信银行", "CRM-1")
    db.session.commit()
    wiki.save_profile(account, LONG, author)
    db.session.commit()
    (entry,) = entries(author)
    assert (entry.rule, entry.seci) == ("wiki_revision", "combination")


def test_validating_a_page_credits_its_main_author_once(author, editor, moderator):
    page = write("Renewal playbook", LONG, author)
    revise(page, LONG + "\nA small fix.", editor)
    wiki.change_state(page, "validated", moderator)
    db.session.commit()
    assert entries(author, "page_validated")[0].points == 10
    wiki.change_state(page, "published", moderator)
    wiki.change_state(page, "validated", moderator)
    db.session.commit()
    assert len(entries(rule="page_validated")) == 1
    assert balance(editor) == 0 and balance(moderator) == 0


def test_deleting_a_page_reverses_its_points_and_restoring_gives_them_back(
    author, moderator
):
    page = write("Renewal playbook", LONG, author)
    wiki.change_state(page, "validated", moderator)
    db.session.commit()
    assert balance(author) == 15
    wiki.delete_page(page, moderator)
    db.session.commit()
    assert balance(author) == 0
    wiki.restore_page(page, moderator)
    db.session.commit()
    assert balance(author) == 15


def test_a_page_linked_from_a_colleagues_page_is_reused(author, editor):
    target = write("Renewal playbook", "How we renew.", author)
    write("ACME notes", "See [[Renewal playbook]] and [[Renewal playbook]].", editor)
    (entry,) = entries(author)
    assert (entry.rule, entry.points, entry.seci) == ("page_used", 2, "internalization")
    assert (entry.source_id, entry.actor_id) == (target.id, editor.id)


def test_linking_your_own_page_earns_nothing(author):
    write("Renewal playbook", "How we renew.", author)
    write("My notes", "See [[Renewal playbook]].", author)
    assert entries() == []


def test_removing_the_link_reverses_the_reuse(author, editor):
    write("Renewal playbook", "How we renew.", author)
    notes = write("ACME notes", "See [[Renewal playbook]].", editor)
    revise(notes, "Nothing to see.", editor)
    assert balance(author) == 0
    assert entries(author)[-1].reason == "edited"


def test_a_page_created_after_links_to_it_is_credited(author, editor):
    write("ACME notes", "Someone should write [[Renewal playbook]].", editor)
    write("Renewal playbook", "How we renew.", author)
    assert balance(author) == 2


def test_a_page_used_in_an_answer_is_reused(author, answerer, question):
    write("Renewal playbook", "How we renew.", author)
    answer = make_reply(question, answerer, "Follow [[Renewal playbook]].")
    assert ("page_used", 2) in [(e.rule, e.points) for e in entries(author)]
    forums.delete_post(answer, answerer)
    db.session.commit()
    assert balance(author) == 0


def test_an_edited_post_that_drops_the_link_reverses_it(author, answerer, question):
    write("Renewal playbook", "How we renew.", author)
    answer = make_reply(question, answerer, "Follow [[Renewal playbook]].")
    forums.edit_post(answer, answerer, "Just call them.")
    db.session.commit()
    assert balance(author) == 0


def test_deleting_the_reused_page_reverses_its_reuse_and_restoring_restores_it(
    author, answerer, question, editor, moderator
):
    page = write("Renewal playbook", "How we renew.", author)
    write("ACME notes", "See [[Renewal playbook]].", editor)
    make_reply(question, answerer, "Follow [[Renewal playbook]].")
    assert balance(author) == 4
    wiki.delete_page(page, moderator)
    db.session.commit()
    assert balance(author) == 0
    wiki.restore_page(page, moderator)
    db.session.commit()
    assert balance(author) == 4


def test_a_write_up_credits_each_author_whose_posts_were_used(
    make, author, question, answerer, asker, voter
):
    answer = make_reply(question, answerer, "Call the buyer. " * 20)
    accept_answer(question, answer, asker)
    page = writeup.write_up(question, author)
    db.session.commit()
    for person in (answerer, asker):
        assert ("thread_written_up", 5) in [(e.rule, e.points) for e in entries(person)]
        assert "storyteller" in badges.earned(person.id)
    assert all(e.seci == "externalization" for e in entries(rule="thread_written_up"))
    assert {e.source_id for e in entries(rule="thread_written_up")} == {page.id}


def test_the_writer_earns_for_editing_the_draft_not_for_generating_it(
    author, question, answerer, asker
):
    make_reply(question, answerer, "Call the buyer. " * 20)
    page = writeup.write_up(question, author)
    db.session.commit()
    assert balance(author) == 0
    revision = revise(page, "## How to renew\n\n" + LONG, author)
    assert balance(author) == 5
    standing = [e for e in entries(author) if not e.reversal][-1]
    assert standing.key == f"revision:{revision.id}"


def test_deleting_the_write_up_reverses_its_credit(
    author, question, answerer, moderator
):
    make_reply(question, answerer, "Call the buyer.")
    page = writeup.write_up(question, author)
    db.session.commit()
    assert balance(answerer) == 2 + 5
    wiki.delete_page(page, moderator)
    db.session.commit()
    assert balance(answerer) == 2
    wiki.restore_page(page, moderator)
    db.session.commit()
    assert balance(answerer) == 2 + 5
