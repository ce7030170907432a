"""No leaks sideways: what is said in a forum restricted to a department, and
the figures only HR may see, reach nobody else by any channel.

One world serves every test. Key Accounts has a restricted questions forum;
Ines asks there about the customer 云杉物流 with a secret (the words
蓝鲸协议 and zephyrquartz), mentions Ivan and Otto, and Ivan's answer is
accepted. The same people discuss the same customer in an open forum. Otto
works in Customer Service: an outsider to the restricted forum, an employee
to HR's figures. Hana is HR: she reads the reports but not the forum.

For each channel the outsider meets the open thread through it (so the check
could fail) and never the secret.
"""

import json
import re

import pytest
from flask import g

from portal.accounts import service as accounts_service
from portal.extensions import db, socketio
from portal.forums import service as forums
from portal.notifications import service as notifications
from portal.search import indexing
from tests.forums.factories import make_forum, make_reply, make_thread

SECRET_TITLE = "云杉物流 蓝鲸协议的底价 zephyrquartz"
SECRET_ZH = "蓝鲸协议"
SECRET_EN = "zephyrquartz"
SECRET_TAG = "蓝鲸谈判"
OPEN_TITLE = "云杉物流 的发票流程 invoice workflow"
SECRETS = (SECRET_ZH, SECRET_EN, SECRET_TAG)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _found(response) -> str:
    """The hits and the "did you mean" of a search or experts page, without
    the echo of what was typed."""
    html = _text(response)
    parts = re.findall(
        r'<li class="search-hit.*?</li>|<p class="search-suggestion">.*?</p>'
        r'|<ol class="experts-results">.*?</ol>',
        html,
        re.S,
    )
    return "\n".join(parts)


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked"


class World:
    pass


@pytest.fixture
def world(make):
    indexing.rebuild()
    w = World()
    key_accounts = make.department("Key Accounts")
    service_dept = make.department("Customer Service")
    w.ines = make.user("ines", display_name="Ines Insider", department=key_accounts)
    w.ivan = make.user("ivan", display_name="Ivan Insider", department=key_accounts)
    w.otto = make.user("otto", display_name="Otto Outsider", department=service_dept)
    w.hana = make.user("hana", role="hr", display_name="Hana HR")
    w.mona = make.user(
        "mona", role="moderator", display_name="Mona Mod", department=service_dept
    )
    w.account = accounts_service.create_account("云杉物流", "CRM-LEAK-1")
    db.session.commit()
    # Otto watches the customer and the tag: he hears of what he may read.
    notifications.watch(w.otto, "account", w.account.id)
    db.session.commit()

    w.open_forum = make_forum("Open questions", kind="questions", slug="open-qa")
    w.secret_forum = make_forum(
        "Key Accounts only", kind="questions", slug="ka-only", department=key_accounts
    )
    w.open_thread = make_thread(
        w.open_forum,
        w.ines,
        OPEN_TITLE,
        "Who approves the invoice for 云杉物流? @ivan @otto",
        tags=["pricing"],
        accounts=["CRM-LEAK-1"],
    )
    w.open_answer = make_reply(
        w.open_thread, w.ivan, "The finance lead approves the invoice workflow."
    )
    forums.accept_answer(w.open_thread, w.open_answer, w.ines)
    db.session.commit()

    w.secret_thread = make_thread(
        w.secret_forum,
        w.ines,
        SECRET_TITLE,
        f"{SECRET_ZH}：我们的底价是多少？ @ivan @otto",
        tags=["pricing", SECRET_TAG],
        accounts=["CRM-LEAK-1"],
    )
    w.secret_answer = make_reply(
        w.secret_thread, w.ivan, f"The {SECRET_EN} floor is 12% below list."
    )
    forums.accept_answer(w.secret_thread, w.secret_answer, w.ines)
    db.session.commit()
    return w


# --- search results and snippets ------------------------------------------------


@pytest.mark.parametrize("query", [SECRET_ZH, SECRET_EN, "底价", "云杉物流"])
def test_search_results_and_snippets(login, world, query):
    insider = _found(login(world.ivan).get("/search", query_string={"q": query}))
    assert world.secret_thread.url in insider
    outsider = _found(login(world.otto).get("/search", query_string={"q": query}))
    if query == "云杉物流":
        assert world.open_thread.url in outsider
    assert world.secret_thread.url not in outsider
    assert_no_secret(outsider)


def test_search_by_account_tag_and_author_filters(login, world):
    client = login(world.otto)
    for args in (
        {"account": "CRM-LEAK-1"},
        {"tag": "pricing"},
        {"author": "ines"},
    ):
        page = _found(client.get("/search", query_string=args))
        assert "invoice workflow" in page, args
        assert_no_secret(page)


def test_did_you_mean_never_suggests_a_secret_word(login, world):
    # One letter off the secret: the insider is offered the word, the outsider
    # must not learn that it exists.
    typo = "zephyrquarts"
    insider = _found(login(world.ivan).get("/search", query_string={"q": typo}))
    assert SECRET_EN in insider
    outsider = _found(login(world.otto).get("/search", query_string={"q": typo}))
    assert_no_secret(outsider)
    # The open thread's words are still suggested to him.
    page = _found(login(world.otto).get("/search", query_string={"q": "workflw"}))
    assert "workflow" in page


def test_similar_threads_while_asking(login, world):
    client = login(world.otto)
    found = client.get("/search/similar", query_string={"title": "云杉物流 invoice"})
    titles = [hit["title"] for hit in found.get_json()["results"]]
    assert OPEN_TITLE in titles
    assert SECRET_TITLE not in titles
    secret = client.get("/search/similar", query_string={"title": SECRET_EN})
    assert secret.get_json()["results"] == []


# --- notifications --------------------------------------------------------------


def test_notifications(login, world):
    insider = _text(login(world.ivan).get("/notifications"))
    assert SECRET_EN in insider
    # Otto was mentioned in both threads and watches the account of both.
    page = _text(login(world.otto).get("/notifications"))
    assert "invoice workflow" in page
    assert_no_secret(page)
    home = _text(login(world.otto).get("/"))
    assert "invoice workflow" in home
    assert_no_secret(home)


# --- account pages and timelines, profiles --------------------------------------


def test_account_page_and_timeline(login, world):
    url = world.account.url
    assert SECRET_EN in _text(login(world.ivan).get(url))
    client = login(world.otto)
    for path in (url, f"{url}/timeline"):
        page = _text(client.get(path))
        assert "invoice workflow" in page, path
        assert_no_secret(page)


def test_profile_pages(login, world):
    client = login(world.otto)
    assert SECRET_EN in _text(login(world.ivan).get(world.ines.url))
    for person in (world.ines, world.ivan):
        page = _text(client.get(person.url))
        assert "invoice workflow" in page, person.username
        assert_no_secret(page)


def test_tag_pages(login, world):
    client = login(world.otto)
    page = _text(client.get("/tags/pricing"))
    assert "invoice workflow" in page
    assert_no_secret(page)


def test_tag_names(login, world):
    # A tag used only in the restricted forum is its content too.
    secret_slug = world.secret_thread.tags[-1].slug
    insider = login(world.ivan)
    assert SECRET_TAG in _text(insider.get("/tags"))
    assert insider.get(f"/tags/{secret_slug}").status_code == 200
    suggested = insider.get("/tags/suggest", query_string={"q": "蓝鲸"}).get_json()
    assert [t["name"] for t in suggested] == [SECRET_TAG]
    client = login(world.otto)
    listed = _text(client.get("/tags"))
    assert "pricing" in listed
    assert_no_secret(listed)
    assert client.get(f"/tags/{secret_slug}").status_code == 404
    assert client.get("/tags/suggest", query_string={"q": "蓝鲸"}).get_json() == []
    assert client.get("/tags/suggest", query_string={"q": "pri"}).get_json()
    # Once the tag is used in the open, it is no secret.
    make_thread(world.open_forum, world.ivan, "Open talk", tags=[SECRET_TAG])
    assert client.get(f"/tags/{secret_slug}").status_code == 200


# --- expert evidence ------------------------------------------------------------


def test_expert_search_and_why(login, world):
    insider = _found(login(world.ines).get("/experts", query_string={"q": SECRET_EN}))
    assert "Ivan Insider" in insider and SECRET_EN in insider
    client = login(world.otto)
    page = _found(client.get("/experts", query_string={"q": "云杉物流 invoice"}))
    # Ivan is found, for his open answer only.
    assert "Ivan Insider" in page and "invoice workflow" in page
    assert_no_secret(page)
    for query in (SECRET_EN, SECRET_ZH):
        page = _found(client.get("/experts", query_string={"q": query}))
        assert "Ivan Insider" not in page, query
        assert_no_secret(page)
    page = _found(client.get("/experts", query_string={"account": "CRM-LEAK-1"}))
    assert "Ivan Insider" in page
    assert_no_secret(page)


def test_expert_panels_on_account_tag_and_profile(login, world):
    insider = _text(login(world.ines).get(world.ivan.url))
    assert SECRET_TAG in insider  # an inferred topic, for those who may know it
    client = login(world.otto)
    for path in (world.account.url, "/tags/pricing", world.ivan.url):
        page = _text(client.get(path))
        assert "Ivan Insider" in page, path
        assert_no_secret(page)


def test_knowledge_at_risk_counts_only_what_the_reader_may_see(login, api, world):
    # A customer only the restricted forum talks about: who knows it is
    # restricted knowledge too, on the account page and in the API.
    hidden = accounts_service.create_account("北辰重工", "CRM-LEAK-2")
    db.session.commit()
    thread = make_thread(
        world.secret_forum, world.ines, "北辰重工 的合同", accounts=["CRM-LEAK-2"]
    )
    make_reply(thread, world.ivan, "I know their buyer.")

    def panel(user):
        page = _text(login(user).get(hidden.url))
        return re.search(
            r'<section class="panel handover-risk.*?</section>', page, re.S
        )[0]

    assert "Ivan Insider" in panel(world.ines)
    # HR and managers assess risk for the whole company, forums they cannot
    # read included (without their content).
    assert "Ivan Insider" in panel(world.hana)
    assert "Ivan Insider" in panel(world.mona)
    outsider = panel(world.otto)
    assert "Nobody has answered" in outsider
    assert "Ivan Insider" not in outsider and "Ines Insider" not in outsider
    risk = api(world.otto).get(f"/accounts/{hidden.id}/risk").get_json()
    assert risk["people"] == []
    assert "Ivan" not in risk["reason"]
    seen = api(world.ines).get(f"/accounts/{hidden.id}/risk").get_json()
    assert "ivan" in [p["username"] for p in seen["people"]]
    # The open account still names who knows it.
    shown = api(world.otto).get(f"/accounts/{world.account.id}/risk").get_json()
    assert "ivan" in [p["username"] for p in shown["people"]]


# --- leaderboards and HR-only figures --------------------------------------------


def test_leaderboard_shows_totals_not_where_they_came_from(login, world):
    page = _text(login(world.otto).get("/leaderboard", query_string={"period": "all"}))
    assert "Ivan Insider" in page
    assert_no_secret(page)
    assert "/incentives/reports" not in page


def test_points_and_reports_are_for_hr(login, world):
    # HR reads Ivan's ledger and the reports, without the restricted title.
    hr = login(world.hana)
    ledger = hr.get("/u/ivan/points")
    assert ledger.status_code == 200
    assert "invoice workflow" in _text(ledger)
    assert_no_secret(_text(ledger))
    overview = hr.get("/incentives/reports")
    assert overview.status_code == 200
    assert_no_secret(_text(overview))
    for path in ("/incentives/reports/people/ivan", "/incentives/reports.csv"):
        response = hr.get(path)
        assert response.status_code == 200, path
        assert "Ivan Insider" in _text(response)
        assert_no_secret(_text(response))
    for person in (world.otto, world.mona):
        client = login(person)
        for path in (
            "/u/ivan/points",
            "/incentives/reports",
            "/incentives/reports/people/ivan",
            "/incentives/reports/rows",
            "/incentives/reports.csv",
        ):
            assert client.get(path).status_code == 403, (person.username, path)


def test_hr_figures_do_not_show_on_employees_pages(login, world):
    # Suspicious voting is for moderators, knowledge at risk for HR and managers.
    client = login(world.otto)
    assert client.get("/incentives/suspicious").status_code == 403
    assert client.get("/accounts/risk").status_code == 404
    profile = _text(client.get(world.ivan.url))
    assert "Points and badges" in profile
    assert "/incentives/reports" not in profile
    assert "/u/ivan/points" not in profile
    assert "/incentives/reports" not in _text(client.get("/"))
    assert "/incentives/reports" in _text(login(world.hana).get(world.ivan.url))


# --- the API --------------------------------------------------------------------


def test_api_content(api, world):
    insider = api(world.ivan).get
    assert SECRET_EN in _text(insider(f"/threads/{world.secret_thread.id}"))
    get = api(world.otto).get
    assert get(f"/threads/{world.secret_thread.id}").status_code == 404
    for path in (
        "/forums",
        "/threads",
        f"/threads?account={world.account.id}",
        "/search?q=云杉物流",
        f"/search?q={SECRET_EN}",
        f"/search?q={SECRET_ZH}",
        f"/accounts/{world.account.id}/timeline",
        "/experts?q=云杉物流%20invoice",
        f"/accounts/{world.account.id}/experts",
    ):
        response = get(path)
        assert response.status_code == 200, path
        found = {k: v for k, v in response.get_json().items() if k != "query"}
        body = json.dumps(found, ensure_ascii=False)
        assert_no_secret(body)
    search = get("/search?q=云杉物流&kind=thread").get_json()
    assert [hit["title"] for hit in search["items"]] == [OPEN_TITLE]


def test_api_hr_figures(api, world):
    hr = api(world.hana).get
    assert hr("/reports/contributions").status_code == 200
    assert hr("/users/ivan/points").status_code == 200
    for person in (world.otto, world.mona):
        get = api(person).get
        assert get("/reports/contributions").status_code == 403
        assert get("/users/ivan/points").status_code == 403
        own = get(f"/users/{person.username}/points")
        assert own.status_code == 200


# --- live pushes ----------------------------------------------------------------


def _events(sio, name):
    return [e["args"][0] for e in sio.get_received() if e["name"] == name]


class Socket:
    """A logged-in Socket.IO test client.

    Socket events run in the test's app context, whose ``g`` would keep the
    user of whichever socket spoke first; each call starts without one, as
    every event does in production.
    """

    def __init__(self, app, client):
        g.pop("_login_user", None)
        self.sio = socketio.test_client(app, flask_test_client=client)
        assert self.sio.is_connected()
        self.sio.get_received()

    def join(self, thread) -> bool:
        g.pop("_login_user", None)
        answer = self.sio.emit("join_thread", {"thread_id": thread.id}, callback=True)
        return answer["ok"]

    def events(self, name=None) -> list:
        return [
            e["args"][0]
            for e in self.sio.get_received()
            if name is None or e["name"] == name
        ]


@pytest.fixture
def sockets(app, login):
    opened = []

    def _open(user):
        opened.append(Socket(app, login(user)))
        return opened[-1]

    yield _open
    for socket in opened:
        if socket.sio.is_connected():
            socket.sio.disconnect()


def test_live_thread_events(sockets, login, world):
    outsider, insider = sockets(world.otto), sockets(world.ines)
    assert outsider.join(world.open_thread) and insider.join(world.open_thread)
    assert insider.join(world.secret_thread)
    assert not outsider.join(world.secret_thread)

    secret = make_reply(world.secret_thread, world.ivan, f"More on {SECRET_EN}.")
    public = make_reply(world.open_thread, world.ivan, "Finance signs it.")

    pushed = [e["post_id"] for e in insider.events("post_created")]
    assert pushed == [secret.id, public.id]
    assert [e["post_id"] for e in outsider.events("post_created")] == [public.id]
    # The fragment a push points to is the reader's own business too.
    client = login(world.otto)
    assert client.get(f"/forums/posts/{secret.id}/fragment").status_code == 404
    assert client.get(f"/forums/posts/{public.id}/fragment").status_code == 200


def test_live_notification_pushes(sockets, world):
    outsider, insider = sockets(world.otto), sockets(world.ivan)
    # A mention of both in the restricted thread: only Ivan hears of it.
    make_reply(world.secret_thread, world.ines, "@ivan @otto see the floor")
    received = insider.events()
    assert [e["count"] for e in received] == [notifications.unread_count(world.ivan)]
    assert_no_secret(json.dumps(received, ensure_ascii=False))
    assert outsider.events() == []
    make_reply(world.open_thread, world.ines, "@otto the invoice is signed")
    pushed = [e["count"] for e in outsider.events("unread_count")]
    assert pushed == [notifications.unread_count(world.otto)]
