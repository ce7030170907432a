"""The account page costs the same number of queries however much has been
said and written about the account, and by how many people."""

import pytest

from portal.accounts import service as accounts_service
from portal.extensions import db
from portal.wiki import service as wiki_service
from tests.forums.factories import make_forum, make_reply, make_thread
from tests.pages import page
from tests.querycount import queries_for, statements_for

# Pages are kept per minute: a second view must not fall in the next one.
pytestmark = pytest.mark.usefixtures("steady_clock")


def _history(account, forum, make, n: int):
    asker, expert = make.user(f"asker{n}"), make.user(f"expert{n}")
    thread = make_thread(forum, asker, f"Question {n}", accounts=[account])
    make_reply(thread, expert, "Here is how.")
    wiki_service.create_page(f"Notes {n}", "What we know.", expert, accounts=[account])
    db.session.commit()


def test_account_page_queries_do_not_grow_with_its_history(login, make):
    viewer = make.user("vera")
    account = accounts_service.create_account("ACME", "CRM-1", account_manager=viewer)
    forum = make_forum("Questions", kind="questions")
    _history(account, forum, make, 0)
    client = login(viewer)
    # Each count is the first view since the last write: nothing remembered.
    few = queries_for(client, account.url)
    for n in range(1, 8):
        _history(account, forum, make, n)
    page = client.get(account.url).get_data(as_text=True)
    assert "Question 7" in page and "Notes 7" in page
    _history(account, forum, make, 8)
    assert queries_for(client, account.url) == few
    # A second view serves the page kept by the first (fragments.render_page),
    # and the account's row kept for its versions: the reader, the account's
    # versions, and the reader's unread count with whether they watch the
    # account (and SQLite's BEGIN).
    queries = [s for s in statements_for(client, account.url) if s != "BEGIN"]
    assert len(queries) == 3


def test_the_kept_row_follows_every_change_to_the_account(login, make, make_account):
    olga, nick = make.user("olga"), make.user("nick", display_name="Nick New")
    acme = make_account("ACME", account_manager=olga)
    as_olga, as_nick = login(olga), login(nick)
    for _ in range(2):  # the second view of each is served from what the first kept
        assert "Edit account" in page(as_olga, acme)
        assert "Edit account" not in page(as_nick, acme)
    assert not any("customer_accounts" in s for s in statements_for(as_nick, acme.url))
    accounts_service.update_account(
        acme, account_manager="nick", tier="key", description="Signs in March."
    )
    db.session.commit()
    for _ in range(2):
        assert "Edit account" not in page(as_olga, acme)
        html = page(as_nick, acme)
        assert "Edit account" in html and "Nick New" in html
        assert "Signs in March." in html and "Key account" in html
