"""The search page, its filters and errors, and the similar-threads lookup."""

import shutil
from pathlib import Path

from portal.accounts import service as accounts
from portal.extensions import db
from portal.search import backend
from portal.wiki import service as wiki
from tests.forums.factories import make_forum, make_thread


def test_results_with_escaped_highlighted_snippets(login, forum, employee):
    make_thread(
        forum, employee, "<script>alert(1)</script> renewal", "Our renewal <b>plan</b>."
    )
    page = login(employee).get("/search?q=renewal")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>renewal</mark>" in html
    html = " ".join(html.split())
    # The sanitizer kept <b> as text; the snippet shows it as text too.
    assert "Our <mark>renewal</mark> &lt;b&gt;plan&lt;/b&gt;." in html


def test_nav_box_targets_search(login, employee, index):
    html = login(employee).get("/").get_data(as_text=True)
    assert 'action="/search"' in html


def test_filters_sort_and_paging(login, employee, make, index):
    other = make.user("olga")
    acme = accounts.create_account("ACME", "CRM-9")
    db.session.commit()
    general = make_forum("General")
    make_thread(general, employee, "Budget for ACME", "budget talk", accounts=[acme])
    make_thread(general, other, "Budget for others", "budget talk", tags="pricing")
    wiki.create_page("Budget rules", "How budget is set.", employee)
    db.session.commit()
    client = login(employee)

    def titles(query):
        html = client.get(query).get_data(as_text=True)
        html = html.replace("<mark>", "").replace("</mark>", "")
        return [
            t
            for t in ("Budget for ACME", "Budget for others", "Budget rules")
            if t in html
        ]

    assert titles("/search?q=budget") == [
        "Budget for ACME",
        "Budget for others",
        "Budget rules",
    ]
    assert titles("/search?q=budget&kind=page") == ["Budget rules"]
    assert titles("/search?q=budget&account=ACME") == ["Budget for ACME"]
    assert titles("/search?q=budget&tag=pricing") == ["Budget for others"]
    assert titles("/search?q=budget&author=olga") == ["Budget for others"]
    assert titles("/search?q=budget&since=2000-01-01&until=2000-12-31") == []
    assert titles("/search?q=&author=olga") == ["Budget for others"]
    html = client.get("/search?q=budget&sort=date").get_data(as_text=True)
    assert "3 results" in html
    for n in range(25):
        make_thread(general, employee, f"Paging topic {n}", "paging")
    first = client.get("/search?q=paging").get_data(as_text=True)
    assert "Page 1 of 2" in first and "25 results" in first
    second = client.get("/search?q=paging&page=2").get_data(as_text=True)
    assert second.count('class="search-hit ') == 5


def test_bad_filters_are_400_with_input_kept(login, employee, index):
    page = login(employee).get("/search?q=budget&since=31.12.2026&author=nobody")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "Enter a date as YYYY-MM-DD" in html
    assert "Nobody is called" in html
    assert 'value="31.12.2026"' in html and 'value="budget"' in html


def test_did_you_mean(login, forum, employee):
    make_thread(forum, employee, "Customer onboarding", "Welcome pack")
    html = login(employee).get("/search?q=custmer").get_data(as_text=True)
    assert "0 results" in html
    assert "Did you mean" in html and ">customer</a>" in html


def test_broken_syntax_is_searched_as_words(login, forum, employee):
    make_thread(forum, employee, "Quote marks", "unbalanced quote test")
    client = login(employee)
    for q in [
        '"unbalanced',
        "(unbalanced",
        "unbalanced)",
        "AND",
        "unbalanced AND",
        "OR OR",
        "NOT",
        "*",
        "?x",
        "title:unbalanced",
        "[a TO",
        "^",
        "\\",
    ]:
        page = client.get("/search", query_string={"q": q})
        assert page.status_code == 200, q
    html = client.get("/search", query_string={"q": '"unbalanced'}).get_data(True)
    assert "Quote marks" in html and "searched as plain words" in html


def test_missing_index_says_how_to_rebuild(app, login, forum, employee, index):
    shutil.rmtree(index)
    client = login(employee)
    page = client.get("/search?q=anything")
    assert page.status_code == 200
    assert "flask --app portal search rebuild" in page.get_data(as_text=True)
    # The portal keeps working, writes included.
    assert client.get("/").status_code == 200
    make_thread(forum, employee, "Still works")
    assert client.get("/search/similar?title=still works").get_json() == {"results": []}


def test_index_of_another_schema_asks_for_rebuild(login, employee, index):
    (Path(index) / backend.VERSION_FILE).write_text("tacit-search-0 old\n")
    html = login(employee).get("/search?q=x").get_data(as_text=True)
    assert "rebuild is needed" in html


def test_index_from_an_older_portal_asks_for_rebuild_and_rebuilds(
    app, login, forum, employee, monkeypatch
):
    """An index whose pickled schema names an analyzer class this version no
    longer has (schema 6 named ``MixedTokenizer``) is outdated, not a 500, and
    ``search rebuild`` replaces it."""
    import sys
    import types

    from whoosh import index as whoosh_index
    from whoosh.analysis import RegexTokenizer
    from whoosh.fields import TEXT, Schema

    from portal.search import indexing

    gone = types.ModuleType("tacit_gone_analysis")
    gone.OldTokenizer = type("OldTokenizer", (RegexTokenizer,), {})
    gone.OldTokenizer.__module__ = gone.__name__
    monkeypatch.setitem(sys.modules, gone.__name__, gone)
    path = Path(app.config["SEARCH_INDEX_DIR"])
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    old = whoosh_index.create_in(
        str(path), Schema(title=TEXT(analyzer=gone.OldTokenizer()))
    )
    old.writer().commit()
    (path / backend.VERSION_FILE).write_text("tacit-search-6 old\n")
    monkeypatch.delitem(sys.modules, gone.__name__)

    make_thread(forum, employee, "Renewal terms for Contoso")
    page = login(employee).get("/search?q=renewal")
    assert page.status_code == 200
    assert "rebuild is needed" in page.get_data(as_text=True)

    indexing.rebuild()
    assert backend.status(path) == "ok"
    html = login(employee).get("/search?q=renewal").get_data(as_text=True)
    assert "terms for Contoso" in html


def test_unreadable_index(login, employee, index):
    # A segment's files (one compound .seg, or its .trm, .pst … files) are gone.
    for f in Path(index).iterdir():
        if f.suffix in (".seg", ".trm", ".pst"):
            f.unlink()
    page = login(employee).get("/search?q=x")
    assert page.status_code == 200
    assert "flask --app portal search rebuild" in page.get_data(as_text=True)


def test_similar_threads_json(login, make, employee, index):
    questions = make_forum("Questions", kind="questions")
    dept = make.department("HR")
    secret = make_forum("HR only", department=dept)
    make_thread(questions, employee, "How to export invoices to SAP?")
    hr = make.user("hr", department=dept)
    make_thread(secret, hr, "Salary export to SAP")
    page = login(employee).get(
        "/search/similar", query_string={"title": "export to SAP"}
    )
    data = page.get_json()
    assert data == {
        "results": [
            {
                "title": "How to export invoices to SAP?",
                "url": data["results"][0]["url"],
                "answered": False,
                "resolved": False,
            }
        ]
    }
    assert data["results"][0]["url"].startswith("/forums/t/")
    assert login(employee).get("/search/similar?title=").get_json() == {"results": []}


def test_login_required(client, index):
    assert client.get("/search?q=x").status_code == 302
