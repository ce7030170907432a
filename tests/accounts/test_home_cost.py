"""The home page's block of the viewer's accounts: each account's latest
events, the same the account's timeline shows, asked for all the accounts at
once so its cost does not grow with how many accounts it shows."""

import pytest

from portal.accounts import service as accounts_service
from portal.accounts import timeline
from portal.extensions import db
from portal.wiki import service as wiki_service
from tests.forums.factories import make_forum, make_reply, make_thread
from tests.querycount import queries_for


@pytest.fixture
def people(make):
    sales, hr = make.department("Sales"), make.department("HR")
    return {
        "vera": make.user("vera", display_name="Vera Veteran", department=sales),
        "otto": make.user("otto", display_name="Otto Other", department=hr),
        "hr": hr,
    }


def _account(name, manager):
    account = accounts_service.create_account(
        name, "CRM-" + name.replace(" ", "-"), account_manager=manager
    )
    db.session.commit()
    return account


def _block(html: str) -> str:
    return html.split("Your accounts", 1)[1].split("</section>", 1)[0]


def _row(block: str, account) -> str:
    """The account's row of the block: up to the next account's row."""
    return block.split(f'<li><a href="{account.url}">', 1)[1].split(
        '<li><a href="/accounts/', 1
    )[0]


def _history(account, people, forum, secret_forum, n: int):
    vera, otto = people["vera"], people["otto"]
    thread = make_thread(
        forum, vera, f"Renewal at {account.name} {n}", accounts=[account]
    )
    make_reply(thread, otto, "I met their CFO.")
    make_thread(
        secret_forum, otto, f"Salary of {account.name}'s buyer", accounts=[account]
    )
    wiki_service.create_page(
        f"{account.name} contacts {n}", "Who to call.", otto, accounts=[account]
    )
    db.session.commit()


def test_each_account_shows_its_latest_events_as_its_timeline_does(people, login, app):
    vera = people["vera"]
    forum = make_forum("Stories")
    secret = make_forum("HR only", department=people["hr"])
    accounts = [_account(name, vera) for name in ("ACME", "Globex")]
    for n, account in enumerate(accounts):
        _history(account, people, forum, secret, n)
    html = login(vera).get("/").get_data(as_text=True)
    block = _block(html)
    for account in accounts:
        expected = timeline.collect(account, vera, limit=2).events
        assert len(expected) == 2
        row = _row(block, account)
        for event in expected:
            assert event.url in row
    # The restricted forum's thread is newest, but not Vera's to see.
    assert "Salary" not in html
    # Newest first: the page written last, then the reply before it.
    for account in accounts:
        row = _row(block, account)
        assert row.index("contacts") < row.index("Renewal")


def test_the_block_costs_the_same_for_one_account_or_five(people, login):
    vera = people["vera"]
    forum = make_forum("Stories")
    secret = make_forum("HR only", department=people["hr"])
    client = login(vera)
    _history(_account("Account 0", vera), people, forum, secret, 0)
    one = queries_for(client, "/")
    for n in range(1, 5):
        _history(_account(f"Account {n}", vera), people, forum, secret, n)
    assert "Account 4" in _block(client.get("/").get_data(as_text=True))
    # Each count is the first view since a write that changes every account's
    # events (a name they show); a view after that reads what it kept.
    people["otto"].display_name = "Otto Renamed"
    db.session.commit()
    assert queries_for(client, "/") == one
    assert queries_for(client, "/") < one
