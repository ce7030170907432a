"""The top bar is rendered once per reader and section, and still tells each
reader their own name, rights, language, unread count and search words."""

import re

from portal.auth import service as auth_service
from portal.extensions import db


def _nav(client, url: str = "/forums") -> str:
    html = client.get(url).get_data(as_text=True)
    return html[html.index('<nav class="nav"') : html.index("</nav>")]


def test_each_reader_sees_their_own_name_and_rights(login, make, admin):
    people = login(make.user("wen", display_name="Wen Employee")), login(admin)
    for _round in range(2):
        mine, theirs = (_nav(client) for client in people)
        assert "Wen Employee" in mine and "/u/wen" in mine
        assert "/admin/users" not in mine
        assert admin.display_name in theirs and "/admin/users" in theirs


def test_each_reader_gets_their_own_csrf_token(login, make):
    tokens = []
    for user in (make.user(), make.user()):
        html = login(user).get("/forums").get_data(as_text=True)
        page_token = re.search(r'name="csrf-token" content="([^"]+)"', html)[1]
        logout_form = html[html.index('action="/logout"') :]
        assert re.search(r'name="csrf_token" value="([^"]+)"', logout_form)[1] == (
            page_token
        )
        tokens.append(page_token)
    assert tokens[0] != tokens[1]


def test_a_rename_and_a_new_language_show_at_once(login, make):
    user = make.user("lin", display_name="Lin Before")
    client = login(user)
    assert "Lin Before" in _nav(client)
    auth_service.update_user(user, display_name="Lin After", locale="zh")
    db.session.commit()
    nav = _nav(client)
    assert "Lin After" in nav and "论坛" in nav


def test_the_current_section_is_marked(login, employee):
    client = login(employee)
    assert re.search(r'href="/forums"\s+aria-current="page"', _nav(client, "/forums"))
    wiki = _nav(client, "/wiki")
    assert re.search(r'href="/wiki"\s+aria-current="page"', wiki)
    assert not re.search(r'href="/forums"\s+aria-current', wiki)


def test_the_search_box_keeps_the_words_escaped(login, employee):
    client = login(employee)
    nav = _nav(client, "/search?q=%3Cb%3Erenewal%3C%2Fb%3E")
    assert 'value="&lt;b&gt;renewal&lt;/b&gt;"' in nav
    assert 'id="nav-q" name="q" type="search"' in _nav(client, "/forums")
    assert "renewal" not in _nav(client, "/forums")
