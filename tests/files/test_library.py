"""The account's document library: every file about the account the viewer may
see, wherever it hangs, filterable by type, newest first, paged."""

from datetime import timedelta

import pytest

from portal import clock
from portal.extensions import db
from portal.forums import service as forums
from portal.wiki import service as wiki
from tests.files.conftest import docx, pdf, png


@pytest.fixture
def library(upload, author, insider, account, thread, secret_thread, monkeypatch):
    """Files on the account, on a wiki page and a post about it, and one in a
    restricted forum; each a minute newer than the last."""
    start = clock.now()
    minutes = iter(range(100))
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(minutes=next(minutes)))
    upload(author, "contract.pdf", pdf(), attach_to=f"account:{account.id}")
    page = wiki.create_page("ACME brief", "Text", author, accounts=[account])
    db.session.commit()
    upload(author, "brief.docx", docx(), attach_to=f"page:{page.slug}")
    info = upload(author, "screen.png", png()).get_json()["files"][0]
    forums.reply(thread, author, info["markdown"])
    db.session.commit()
    secret = upload(insider, "salaries.pdf", pdf("salaries")).get_json()["files"][0]
    forums.reply(secret_thread, insider, secret["markdown"])
    db.session.commit()
    return page


def _names(html: str, candidates) -> list[str]:
    found = [(html.find(n), n) for n in candidates if n in html]
    return [n for _, n in sorted(found)]


ALL = ["contract.pdf", "brief.docx", "screen.png", "salaries.pdf"]


def test_the_library_lists_every_visible_file_newest_first(
    library, login, outsider, insider, account
):
    html = login(outsider).get(f"/accounts/{account.id}/files").get_data(as_text=True)
    assert _names(html, ALL) == ["screen.png", "brief.docx", "contract.pdf"]
    html = login(insider).get(f"/accounts/{account.id}/files").get_data(as_text=True)
    assert _names(html, ALL) == [
        "salaries.pdf",
        "screen.png",
        "brief.docx",
        "contract.pdf",
    ]


def test_the_library_filters_by_type(library, login, outsider, account):
    html = (
        login(outsider)
        .get(f"/accounts/{account.id}/files?kind=pdf")
        .get_data(as_text=True)
    )
    assert _names(html, ALL) == ["contract.pdf"]


def test_the_library_is_paged(library, app, login, insider, account):
    app.config["PER_PAGE"] = 2
    client = login(insider)
    first = client.get(f"/accounts/{account.id}/files").get_data(as_text=True)
    second = client.get(f"/accounts/{account.id}/files?page=2").get_data(as_text=True)
    assert _names(first, ALL) == ["salaries.pdf", "screen.png"]
    assert _names(second, ALL) == ["brief.docx", "contract.pdf"]


def test_the_account_page_shows_the_documents_panel(library, login, outsider, account):
    html = login(outsider).get(f"/accounts/{account.id}").get_data(as_text=True)
    assert "Documents" in html
    assert _names(html, ALL) == ["screen.png", "brief.docx", "contract.pdf"]
    assert f'name="attach_to" value="account:{account.id}"' in html


def test_a_deleted_page_takes_its_files_out_of_the_library(
    library, login, outsider, moderator, account
):
    wiki.delete_page(library, moderator)
    db.session.commit()
    html = login(outsider).get(f"/accounts/{account.id}/files").get_data(as_text=True)
    assert "brief.docx" not in html
    wiki.restore_page(library, moderator)
    db.session.commit()
    html = login(outsider).get(f"/accounts/{account.id}/files").get_data(as_text=True)
    assert "brief.docx" in html


def test_an_unknown_account_has_no_library(login, author):
    assert login(author).get("/accounts/999/files").status_code == 404
