"""The wiki's pages as a browser sees them."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from portal import clock
from portal.accounts.service import create_account
from portal.extensions import db
from portal.wiki import service
from portal.wiki.models import Page


def text(response) -> str:
    return response.get_data(as_text=True)


def textarea(html: str) -> str:
    """Return the unescaped content of the editor's textarea."""
    from html import unescape

    match = re.search(
        r'<textarea[^>]*name="body"[^>]*>\r?\n?(.*?)</textarea>', html, re.S
    )
    return unescape(match.group(1))


def hidden(html: str, name: str) -> str:
    match = re.search(
        rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html
    ) or re.search(rf'<input[^>]*value="([^"]*)"[^>]*name="{name}"', html)
    return match.group(1) if match else ""


def current(page) -> Page:
    db.session.expire_all()
    return db.session.get(Page, page.id)


@pytest.fixture
def client(login, author):
    return login(author)


# --- reading --------------------------------------------------------------------------


def test_view_page_shows_state_tags_author_and_actions(app, client, write):
    page = write("理赔流程 Claims", "## 步骤\n先登记。", tags="理赔", state="draft")
    html = text(client.get(page.url))
    assert "<h1>理赔流程 Claims</h1>" in html
    assert 'class="badge badge-neutral">Draft' in html
    assert '<h2 id="步骤">步骤</h2>' in html
    assert "王芳 Wang Fang" in html
    assert f'href="{page.url}/edit"' in html or "/edit" in html
    assert "What links here" in html and "History" in html
    assert ">Publish</button>" in html
    assert ">Validate</button>" not in html  # an employee who is no expert
    assert "Delete page" not in html
    if "notifications.toggle_watch" in app.view_functions:
        assert 'name="target" value="page"' in html
        assert f'name="target_id" value="{page.id}"' in html


def test_page_list_filters_and_invites(client, write):
    assert "The wiki is empty" in text(client.get("/wiki"))
    write("Alpha", tags="one")
    write("Beta", state="draft")
    html = text(client.get("/wiki"))
    assert "2 pages" in html and "Alpha" in html and "Beta" in html
    html = text(client.get("/wiki?state=draft"))
    assert "Beta" in html and ">Alpha<" not in html
    html = text(client.get("/wiki?tag=one"))
    assert "Alpha" in html and ">Beta<" not in html
    html = text(client.get("/wiki?tag=no-such-tag"))
    assert "No page matches these filters." in html


def test_missing_page_invites_to_create_it(client):
    response = client.get("/wiki/%E6%96%B0%E9%A1%B5")
    assert response.status_code == 404
    assert "/wiki/new?title=" in text(response)


def test_old_slug_redirects_permanently(client, write, author):
    page = write("Old title")
    service.rename_page(page, "New title", author)
    db.session.commit()
    response = client.get("/wiki/old-title")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/wiki/new-title")
    response = client.get("/wiki/old-title/history")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/wiki/new-title/history")


def test_user_text_is_escaped(client, write):
    page = write("<script>alert(1)</script> page", "<img src=x onerror=alert(1)>")
    html = text(client.get(page.url))
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html
    assert "onerror=alert(1)>" not in html


# --- creating -------------------------------------------------------------------------


def test_create_form_takes_title_and_template(client):
    html = text(client.get("/wiki/new?title=Onboarding&template=how-to"))
    assert 'value="Onboarding"' in html
    assert "## 步骤 Steps" in textarea(html)
    assert "Lesson learned" in html  # the template menu


def test_create_page(client, sent):
    response = client.post(
        "/wiki/new",
        data={
            "title": "客户分级 Tiers",
            "body": "Text with [[Missing]].",
            "tags": "crm",
            "state": "published",
            "summary": "first",
            "action": "save",
        },
    )
    assert response.status_code == 302
    page = service.find_page("客户分级-tiers")
    assert response.headers["Location"].endswith(page.url)
    assert page.current_revision.summary == "first"
    assert len(sent["created"]) == 1


def test_preview_renders_without_saving(client):
    response = client.post(
        "/wiki/new",
        data={"title": "Draft", "body": "**bold** [[Nowhere]]", "action": "preview"},
    )
    assert response.status_code == 200
    html = text(response)
    assert "<strong>bold</strong>" in html
    assert "wikilink-missing" in html
    assert "**bold** [[Nowhere]]" in textarea(html)
    assert db.session.scalar(sa.select(sa.func.count(Page.id))) == 0


def test_preview_endpoint_for_the_editor_script(client):
    response = client.post("/wiki/preview", data={"body": "# Hi"})
    assert response.get_json() == {"html": '<h1 id="hi">Hi</h1>'}
    response = client.post("/wiki/preview", data={"body": ""})
    assert response.status_code == 400
    assert "empty" in response.get_json()["error"]


@pytest.mark.parametrize(
    ("title", "body", "status", "message"),
    [
        ("", "Kept text", 400, "A page needs a title."),
        ("Fine", "", 400, "The page is empty: write something."),
        ("Huge", "字" * 200_001, 400, "A page is at most 200,000 characters"),
    ],
)
def test_bad_input_keeps_the_text(client, title, body, status, message):
    response = client.post(
        "/wiki/new", data={"title": title, "body": body, "action": "save"}
    )
    assert response.status_code == status
    html = text(response)
    assert message in html
    assert textarea(html) == body
    assert f'value="{title}"' in html or not title


def test_existing_title_is_a_409_linking_to_the_page(client, write):
    page = write("Renewal playbook")
    response = client.post(
        "/wiki/new",
        data={"title": "renewal PLAYBOOK", "body": "My own text", "action": "save"},
    )
    assert response.status_code == 409
    html = text(response)
    assert "A page called “Renewal playbook” already exists." in html
    assert f'<a href="{page.url}">Open the existing page' in html
    assert textarea(html) == "My own text"


def test_create_form_warns_when_the_title_exists(client, write):
    page = write("Known")
    html = text(client.get("/wiki/new?title=known"))
    assert f'<a href="{page.url}">Open the existing page' in html


# --- editing and conflicts ------------------------------------------------------------


def test_edit_form_carries_the_base_revision(client, write, revise, author):
    page = write("Doc", "one")
    revise(page, "two", author)
    html = text(client.get(f"{page.url}/edit"))
    assert hidden(html, "base_revision") == "2"
    assert textarea(html) == "two"


def test_edit_saves_a_revision(client, write):
    page = write("Doc", "one")
    response = client.post(
        f"{page.url}/edit",
        data={
            "body": "one and two",
            "base_revision": "1",
            "summary": "more",
            "action": "save",
        },
    )
    assert response.status_code == 302
    assert current(page).current_revision.body == "one and two"


def test_conflict_page_merges_when_changes_do_not_overlap(client, write, revise, make):
    page = write("Shared", "intro\n\nmiddle\n\nend\n")
    revise(page, "INTRO\n\nmiddle\n\nend\n", make.user("other", display_name="Other"))
    response = client.post(
        f"{page.url}/edit",
        data={
            "body": "intro\n\nmiddle\n\nEND\n",
            "base_revision": "1",
            "action": "save",
        },
    )
    assert response.status_code == 409
    html = text(response)
    assert "Merged automatically — review and save" in html
    assert "Other saved revision 2" in html
    assert textarea(html) == "INTRO\n\nmiddle\n\nEND\n"
    assert hidden(html, "base_revision") == "2"
    assert current(page).revision_count == 2  # nothing saved silently
    # Saving the merged text from the new base works.
    response = client.post(
        f"{page.url}/edit",
        data={"body": textarea(html), "base_revision": "2", "action": "save"},
    )
    assert response.status_code == 302
    assert current(page).current_revision.body == "INTRO\n\nmiddle\n\nEND\n"


def test_conflict_page_keeps_my_text_when_changes_overlap(client, write, revise, make):
    page = write("Shared", "the line\n")
    revise(page, "their <b>line</b>\n", make.user("other", display_name="Other"))
    mine = "my line, with 中文 & <i>markup</i>\n"
    response = client.post(
        f"{page.url}/edit",
        data={"body": mine, "base_revision": "1", "action": "save"},
    )
    assert response.status_code == 409
    html = text(response)
    assert "Edit conflict" in html
    assert textarea(html) == mine  # intact
    assert hidden(html, "base_revision") == "2"
    # The current version is shown rendered, and the difference as a diff.
    assert "their &lt;b&gt;line&lt;/b&gt;" in html
    assert "<del>" in html and "<ins>" in html
    assert "<i>markup</i>" not in html
    assert current(page).current_revision.body == "their <b>line</b>\n"


def test_an_unknown_base_revision_is_a_400_with_the_text_kept(client, write):
    page = write("Doc", "one\n")
    for base in ("", "7", "zero"):
        response = client.post(
            f"{page.url}/edit", data={"body": "my text\n", "base_revision": base}
        )
        assert response.status_code == 400
        html = text(response)
        assert "does not say which version" in html
        assert textarea(html) == "my text\n"
        assert hidden(html, "base_revision") == "1"


def test_edit_errors_keep_the_text(client, write):
    page = write("Doc", "one")
    big = "a" * 200_001
    response = client.post(
        f"{page.url}/edit", data={"body": big, "base_revision": "1", "action": "save"}
    )
    assert response.status_code == 400
    assert textarea(text(response)) == big


# --- history, diffs, revisions --------------------------------------------------------


@pytest.fixture
def three_revisions(write, revise, author):
    page = write("银行客户 Bank", "客户是一家银行。\n")
    revise(page, "客户是一家保险公司。\n", author, summary="行业更正")
    revise(page, "客户是一家保险公司。\n总部在上海。\n", author)
    return page


def test_history_lists_revisions_with_compare_radios(client, three_revisions):
    html = text(client.get(f"{three_revisions.url}/history"))
    assert html.count('type="radio" name="from"') == 3
    assert re.search(r'name="from" value="2"[^>]*checked', html)
    assert re.search(r'name="to" value="3"[^>]*checked', html)
    assert "行业更正" in html


def test_diff_between_any_two_revisions(client, three_revisions):
    url = three_revisions.url
    html = text(client.get(f"{url}/diff?from=1&to=2"))
    assert "<del>银行</del><ins>保险公司</ins>" in html
    html = text(client.get(f"{url}/diff?from=1&to=3"))
    assert "<del>银行</del><ins>保险公司</ins>" in html
    assert "<ins>总部在上海。\n</ins>" in html
    html = text(client.get(f"{url}/diff?from=3&to=1"))
    assert "<del>保险公司</del><ins>银行</ins>" in html
    html = text(client.get(f"{url}/diff"))  # the last change by default
    assert "<ins>总部在上海。\n</ins>" in html
    assert client.get(f"{url}/diff?from=1&to=9").status_code == 404


def test_diff_escapes_the_text(client, write, revise, author):
    page = write("Escape", "<b>old</b>\n")
    revise(page, "<b>new</b>\n", author)
    html = text(client.get(f"{page.url}/diff?from=1&to=2"))
    assert "<b>" not in html
    assert "<del>old</del><ins>new</ins>" in html


def test_old_revision_view_and_revert(client, three_revisions):
    url = three_revisions.url
    html = text(client.get(f"{url}/revisions/1"))
    assert "This is an old revision (1 of 3)" in html
    assert "客户是一家银行。" in html
    response = client.post(f"{url}/revert/1")
    assert response.status_code == 302
    page = current(three_revisions)
    assert page.revision_count == 4
    assert page.current_revision.body == "客户是一家银行。\n"
    response = client.post(f"{url}/revert/4", follow_redirects=True)
    assert "nothing to revert" in text(response)


# --- rename and links -----------------------------------------------------------------


def test_rename_keeps_links_working(client, write):
    page = write("Old one")
    source = write("Source", "See [[Old one]].")
    response = client.post(f"{page.url}/rename", data={"title": "New one"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/wiki/new-one")
    html = text(client.get("/wiki/new-one/links-here"))
    assert "1 page links here" in html and source.title in html
    html = text(client.get(source.url))
    assert 'href="/wiki/old-one"' in html and "wikilink-missing" not in html


def test_rename_onto_an_existing_title_is_a_409_with_a_link(client, write):
    one = write("One")
    two = write("Two")
    response = client.post(f"{one.url}/rename", data={"title": "two"})
    assert response.status_code == 409
    assert f'<a href="{two.url}">Open the existing page' in text(response)
    response = client.post(f"{one.url}/rename", data={"title": ""})
    assert response.status_code == 400
    assert "A page needs a title." in text(response)


def test_red_links_turn_blue_when_the_page_is_created(client, write):
    source = write("Source", "[[Later]]")
    assert "wikilink-missing" in text(client.get(source.url))
    client.post("/wiki/new", data={"title": "Later", "body": "Now.", "action": "save"})
    assert "wikilink-missing" not in text(client.get(source.url))


# --- states, deletion -----------------------------------------------------------------


def test_state_changes_follow_who_may_make_them(client, login, write, moderator):
    page = write("Claims", "x", state="draft")
    assert (
        client.post(f"{page.url}/state", data={"state": "validated"}).status_code == 403
    )
    assert (
        client.post(f"{page.url}/state", data={"state": "archived"}).status_code == 403
    )
    assert (
        client.post(f"{page.url}/state", data={"state": "published"}).status_code == 302
    )
    assert current(page).state == "published"
    mod = login(moderator)
    assert mod.post(f"{page.url}/state", data={"state": "validated"}).status_code == 302
    html = text(mod.get(page.url))
    assert 'class="badge badge-ok">Validated' in html
    assert ">Confirm it is still valid</button>" in html
    assert client.post(f"{page.url}/state", data={"state": "bogus"}).status_code == 403


def test_review_due_flag_names_who_should_review(client, write, author, app):
    page = write("Stale", "x")
    page.created_at = clock.now() - timedelta(days=400)
    db.session.commit()
    html = text(client.get(page.url))
    assert "May be out of date" in html
    assert "Who should review it:" in html and "王芳 Wang Fang" in html
    app.config["WIKI_REVIEW_AFTER_DAYS"] = 500
    assert "May be out of date" not in text(client.get(page.url))


def test_moderators_delete_and_restore(client, login, write, moderator):
    page = write("Gone soon")
    assert client.post(f"{page.url}/delete").status_code == 403
    mod = login(moderator)
    assert mod.post(f"{page.url}/delete").status_code == 302
    assert client.get(page.url).status_code == 404
    assert client.get(f"{page.url}/history").status_code == 404
    html = text(mod.get(page.url))
    assert "This page was deleted" in html and "Restore page" in html
    assert mod.post(f"{page.url}/restore").status_code == 302
    assert client.get(page.url).status_code == 200


def test_archived_pages_are_read_only_for_employees(client, write, moderator):
    page = write("Retired")
    service.change_state(page, "archived", moderator)
    db.session.commit()
    html = text(client.get(page.url))
    assert "Archived: kept for the record" in html
    assert client.get(f"{page.url}/edit").status_code == 403


# --- recent changes, panels, profiles -------------------------------------------------


def test_recent_changes_filters_by_person_and_tag(client, write, revise, make):
    bob = make.user("bob", display_name="Bob Chen")
    page = write("Tagged page", tags="claims")
    write("Other page")
    revise(page, "changed by bob", bob)
    html = text(client.get("/wiki/recent"))
    assert html.count("<tr>") == 4  # header + three revisions
    html = text(client.get("/wiki/recent?person=bob"))
    assert html.count("<tr>") == 2 and "Bob Chen" in html
    html = text(client.get("/wiki/recent?tag=claims"))
    assert "Tagged page" in html and "Other page" not in html
    html = text(client.get("/wiki/recent?person=nobody"))
    assert "No changes match these filters." in html


@pytest.fixture
def bank(app):
    account = create_account("华信银行", "CRM-1")
    db.session.commit()
    return account


def test_account_page_invites_to_write_the_profile(client, bank):
    html = text(client.get(bank.url))
    assert "Customer profile" in html
    assert f'href="/accounts/{bank.id}/profile/edit">Write the profile' in html
    assert "Write an account brief" in html


def test_profile_editor_starts_from_the_five_layers(client, bank):
    html = text(client.get(f"/accounts/{bank.id}/profile/edit"))
    body = textarea(html)
    for layer in (
        "识别 Identification",
        "渠道 Channels",
        "需求 Needs",
        "行为 Behaviour",
        "价值 Value",
    ):
        assert f"## {layer}" in body


def test_profile_is_created_on_first_save_and_shown_on_the_account(client, bank, write):
    response = client.post(
        f"/accounts/{bank.id}/profile/edit",
        data={"body": "## 识别 Identification\n全国性股份制银行。", "action": "save"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(bank.url)
    page = service.profile_page(bank)
    assert page.title == "华信银行 — 客户档案 profile"
    write("Bank brief", accounts=[bank])
    html = text(client.get(bank.url))
    assert "全国性股份制银行。" in html
    assert "Edit profile" in html
    assert "Bank brief" in html
    # The second visit edits the existing profile from its current revision.
    html = text(client.get(f"/accounts/{bank.id}/profile/edit"))
    assert hidden(html, "base_revision") == "1"
    assert textarea(html) == "## 识别 Identification\n全国性股份制银行。"


def test_tag_and_person_panels(client, write, author):
    write("Filed page", tags="理赔")
    from portal.tags.service import get_by_slug

    tag = get_by_slug("理赔")
    html = text(client.get(f"/tags/{quote(tag.slug)}"))
    assert "Filed page" in html
    html = text(client.get(f"/u/{author.username}"))
    assert "Wiki pages 王芳 Wang Fang wrote recently" in html and "Filed page" in html


def test_list_query_count_does_not_grow_with_pages(client, write, app):
    from tests.querycount import queries_for

    def count_queries(url):
        return queries_for(client, url)

    write("P1", tags="a", accounts="")
    few = count_queries("/wiki")
    for n in range(2, 8):
        write(f"P{n}", tags="a, b")
    assert count_queries("/wiki") == few
