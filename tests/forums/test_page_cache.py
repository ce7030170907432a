"""A thread's whole page is kept for every reader who sees it alike: each write
that changes the page is on the next view, and what belongs to one reader
(their name, token, votes, buttons, watching) never reaches another."""

import pytest

from portal import versions
from portal.accounts import service as accounts_service
from portal.auth import service as auth_service
from portal.experts import service as experts_service
from portal.extensions import db
from portal.forums import service
from portal.fragments import PAGE_CACHE
from portal.notifications import service as notifications_service
from portal.wiki import service as wiki_service
from portal.wiki import writeup
from tests.forums.factories import make_reply, make_thread
from tests.pages import page, tokens, without_reader

# Pages are kept per minute: a second view must not fall in the next one.
pytestmark = pytest.mark.usefixtures("steady_clock")


@pytest.fixture
def pages(app):
    return app.extensions[PAGE_CACHE]


def _seen_twice(client, thread, text: str) -> bool:
    """Whether ``text`` is on the page at the first view after a write and at
    the next one (served from what the first kept)."""
    first, second = page(client, thread), page(client, thread)
    assert without_reader(first) == without_reader(second)
    return text in first


def test_readers_alike_share_one_page_each_with_their_own_name_and_token(
    login, make, question, pages
):
    rita = login(make.user("rita", display_name="Rita Reader"))
    rob = login(make.user("rob", display_name="Rob Reader"))
    first = page(rita, question)
    assert pages.misses == 1
    second = page(rob, question)
    assert pages.misses == 1 and pages.hits == 1
    assert without_reader(first) == without_reader(second)
    assert "Rita Reader" in first and "Rita Reader" not in second
    assert "Rob Reader" in second
    # Every form on the page carries its reader's own token, never the other's.
    assert len(tokens(first)) == 1 and len(tokens(second)) == 1
    assert tokens(first) != tokens(second)
    kept = "".join(next(iter(pages._entries.values())).parts)
    assert not any(token in kept for token in tokens(first) | tokens(second))


def test_replies_edits_votes_and_acceptance_show_at_once(
    login, make, question, asker, answerer
):
    reader = login(make.user("rita"))
    assert not _seen_twice(reader, question, "Send the signed order form.")
    answer = make_reply(question, answerer, "Send the signed order form.")
    assert _seen_twice(reader, question, "Send the signed order form.")
    service.edit_post(answer, answerer, "Send the countersigned order form.")
    db.session.commit()
    assert _seen_twice(reader, question, "countersigned")
    assert not _seen_twice(reader, question, 'data-score title="Score">2<')
    service.vote(answer, make.user(), 1)
    service.vote(answer, make.user(), 1)
    db.session.commit()
    assert _seen_twice(reader, question, 'data-score title="Score">2<')
    assert not _seen_twice(reader, question, "Accepted answer")
    service.accept_answer(question, answer, asker)
    db.session.commit()
    assert _seen_twice(reader, question, "Accepted answer")
    service.set_locked(question, make.user(role="moderator"), True)
    db.session.commit()
    assert _seen_twice(reader, question, "This thread is locked")


def test_names_of_people_accounts_and_the_forum_show_at_once(
    login, make, questions, asker
):
    acme = accounts_service.create_account("ACME Insurance", "CRM-ACME")
    db.session.commit()
    thread = make_thread(questions, asker, "Who signs?", accounts=[acme])
    reader = login(make.user("rita"))
    assert _seen_twice(reader, thread, "Asa Asker")
    auth_service.update_user(asker, display_name="Asa Li")
    db.session.commit()
    assert _seen_twice(reader, thread, "Asa Li")
    accounts_service.update_account(acme, name="ACME Assurance")
    db.session.commit()
    assert _seen_twice(reader, thread, "ACME Assurance")
    service.update_forum(
        questions,
        name="Customer questions",
        slug=questions.slug,
        description=questions.description,
        kind=questions.kind,
        department=None,
        position=questions.position,
    )
    db.session.commit()
    assert _seen_twice(reader, thread, "Customer questions")


def test_a_write_up_and_experts_asked_show_at_once(
    login, make, question, asker, answerer
):
    make_reply(question, answerer, "Credit the disputed line first.")
    reader = login(make.user("rita"))
    assert _seen_twice(reader, question, "Write this up as a page")
    written = writeup.write_up(question, make.user("wendy"))
    db.session.commit()
    assert _seen_twice(reader, question, "Written up as")
    wiki_service.rename_page(
        written, "Disputed invoices, step by step", written.created_by
    )
    db.session.commit()
    assert _seen_twice(reader, question, "Disputed invoices, step by step")
    assert not _seen_twice(reader, question, "wiki-state-archived")
    moderator = make.user("mona", role="moderator")
    wiki_service.change_state(written, "archived", moderator)
    db.session.commit()
    assert _seen_twice(reader, question, "wiki-state-archived")
    wiki_service.delete_page(written, moderator)
    db.session.commit()
    assert not _seen_twice(reader, question, "Written up as")
    other = make_thread(question.forum, asker, "Who approves a refund?", "Anyone?")
    assert _seen_twice(reader, other, "Ask an expert")
    experts_service.ask(other, asker)
    db.session.commit()
    assert _seen_twice(reader, other, "Experts asked")


def test_buttons_votes_and_watching_follow_the_reader_not_whoever_viewed_first(
    login, make, question, asker, answerer
):
    answer = make_reply(question, answerer, "Credit the disputed line first.")
    voter, watcher = make.user("vic"), make.user("wes")
    service.vote(answer, voter, 1)
    notifications_service.watch(watcher, "thread", question.id)
    db.session.commit()
    clients = {
        who: login(user)
        for who, user in [
            ("reader", make.user("rita")),
            ("asker", asker),
            ("answerer", answerer),
            ("voter", voter),
            ("watcher", watcher),
        ]
    }
    for _round in range(2):  # the second round is served from what the first kept
        shown = {who: page(client, question) for who, client in clients.items()}
        edit = f"/forums/posts/{answer.id}/edit"
        assert edit in shown["answerer"]
        assert not any(edit in shown[w] for w in ("reader", "asker", "voter"))
        assert "Accept this answer" in shown["asker"]
        assert "Accept this answer" not in shown["reader"]
        assert 'aria-pressed="true"' in shown["voter"]
        assert 'aria-pressed="true"' not in shown["reader"]
        assert "Stop watching" in shown["watcher"]
        assert "Stop watching" not in shown["reader"]
    # Watching from the page changes the next view of the page.
    reader = clients["reader"]
    response = reader.post(
        "/watch", data={"target": "thread", "target_id": question.id}
    )
    assert response.status_code == 303
    assert "Stop watching" in page(reader, question)  # with its message
    assert "Stop watching" in page(reader, question)


def test_a_restricted_thread_is_never_served_to_an_outsider(
    login, secret_thread, insider, outsider
):
    assert "Confidential plans." in page(login(insider), secret_thread)
    response = login(outsider).get(secret_thread.url)
    assert response.status_code == 404
    assert "Confidential plans." not in response.get_data(as_text=True)


def test_moderators_see_their_tools_and_readers_never_do(
    login, make, question, moderator, pages
):
    reader = login(make.user("rita"))
    page(reader, question)
    assert "Moderation log" in page(login(moderator), question)
    assert "Moderation log" not in page(reader, question)


def test_a_message_is_shown_once_and_the_page_kept_around_it(
    login, make, question, pages
):
    reader = login(make.user("rita"))
    page(login(make.user("rob")), question)  # kept, unwatched
    response = reader.post(
        "/watch",
        data={"target": "thread", "target_id": question.id, "next": question.url},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "You are watching this" in html and "Stop watching" in html
    again = page(reader, question)
    assert "You are watching this" not in again and "Stop watching" in again


def test_what_a_transaction_wrote_is_kept_only_once_it_commits(
    app, login, make, question, answerer
):
    from portal.forums.views import view_thread

    reader = make.user("rita")
    page(login(reader), question)
    service.reply(question, answerer, "A draft that will be rolled back.")
    db.session.flush()
    assert versions.raised()
    with app.test_request_context(question.url):
        from flask_login import login_user

        login_user(reader)
        assert "A draft that will be rolled back." in str(
            view_thread(question.id, question.slug)
        )
    db.session.rollback()
    # The next write takes the version the rolled-back one had.
    make_reply(question, answerer, "What was committed.")
    html = page(login(reader), question)
    assert "What was committed." in html
    assert "A draft that will be rolled back." not in html


def test_a_kept_page_asks_the_database_only_about_its_reader(
    login, make, question, answerer
):
    from tests.querycount import statements_for

    for n in range(25):  # two pages of posts
        make_reply(question, answerer, f"Answer {n}")
    reader = login(make.user("rita"))
    page(reader, question)

    # The reader, the thread, its versions, the reader's votes on the page,
    # and their unread count with whether they watch the thread (and SQLite's
    # BEGIN): however long the thread.
    def queries(url):
        return [s for s in statements_for(reader, url) if s != "BEGIN"]

    assert len(queries(question.url)) == 5
    page(reader, question, page=2)
    assert len(queries(question.url + "?page=2")) == 5
