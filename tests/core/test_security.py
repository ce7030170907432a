"""Headers, CSRF, and templates that run no inline script."""

import re
from pathlib import Path

import pytest

from tests.factories import PASSWORD

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_flags(client, employee):
    client.post("/login", data={"username": "emma", "password": PASSWORD})
    cookie = client.get_cookie("session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=str)
def test_templates_have_no_inline_script(path):
    text = path.read_text()
    inline = [
        m for m in re.finditer(r"<script\b([^>]*)>", text) if "src=" not in m.group(1)
    ]
    assert not inline, f"inline <script> in {path.name}: move it to static/js/"
    assert not re.search(r"\son[a-z]+\s*=", text), f"on…= handler in {path.name}"


class TestCSRF:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_form_without_its_token_is_refused(self, client, employee):
        response = client.post(
            "/login", data={"username": "emma", "password": PASSWORD}
        )
        assert response.status_code == 400
        assert "CSRF" in response.get_data(as_text=True)

    def test_a_form_with_its_token_is_accepted(self, client, employee):
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        response = client.post(
            "/login",
            data={
                "username": "emma",
                "password": PASSWORD,
                "csrf_token": token.group(1),
            },
        )
        assert response.status_code == 302

    def test_logged_in_post_without_token_is_refused(self, login, admin):
        response = login(admin).post("/admin/departments/new", data={"name": "X"})
        assert response.status_code == 400


def test_nul_characters_are_refused_with_a_400(login, employee):
    client = login(employee)
    page = client.get("/accounts/?q=a%00b")
    assert page.status_code == 400
    assert "NUL" in page.get_data(as_text=True)
    api = client.get("/api/v1/wiki/a%00b", headers={"Accept": "application/json"})
    assert api.status_code in (400, 401)
