"""Headers, CSRF, and templates that run no inline script."""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.auth import service as auth_service
from portal.auth.models import LoginAttempt
from portal.extensions import db
from tests.conftest import app_on_empty_tables
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

    def test_every_writing_route_refuses_a_request_without_its_token(
        self, app, login, admin
    ):
        """Walk the whole URL map: every route outside the token API that
        accepts POST, PUT, PATCH or DELETE refuses a request without a CSRF
        token, as an administrator (who may do anything) and before any write."""
        client = login(admin)
        checked, accepted = [], []
        for rule in app.url_map.iter_rules():
            if rule.rule.startswith("/api/v1/") or rule.endpoint == "static":
                continue
            for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
                url = _example_url(rule)
                response = client.open(url, method=method, data={"x": "1"})
                checked.append(f"{method} {rule.rule}")
                if response.status_code != 400 or b"CSRF" not in response.data:
                    accepted.append(f"{method} {rule.rule} → {response.status_code}")
        assert len(checked) >= 30, checked
        assert not accepted, accepted


def _example_url(rule) -> str:
    """A concrete URL for ``rule``: 1 for numbers, "x" for the rest."""
    values = {}
    for name, converter in rule._converters.items():
        numeric = type(converter).__name__ in ("IntegerConverter", "FloatConverter")
        values[name] = 1 if numeric else "x"
    return rule.build(values, append_unknown=False)[1]


def test_nul_characters_are_refused_with_a_400(login, employee):
    client = login(employee)
    page = client.get("/accounts/?q=a%00b")
    assert page.status_code == 400
    assert "NUL" in page.get_data(as_text=True)
    api = client.get("/api/v1/wiki/a%00b", headers={"Accept": "application/json"})
    assert api.status_code in (400, 401)


def test_live_socket_refuses_other_sites(login, employee):
    """A page on another site cannot open a socket with a colleague's cookie
    (cross-site WebSocket hijacking); the portal's own pages can."""
    client = login(employee)
    handshake = "/socket.io/?EIO=4&transport=polling"
    foreign = client.get(handshake, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 400
    own = client.get(handshake, headers={"Origin": "http://localhost"})
    assert own.status_code == 200 and own.data.startswith(b"0{")


@pytest.fixture
def proxied_app(_schema, database_url, tmp_path):
    """The portal as deployed behind one nginx (PROXY_COUNT=1)."""
    with app_on_empty_tables(database_url, tmp_path, PROXY_COUNT=1) as app:
        yield app


def _failed_login_ip(app, **headers) -> str:
    auth_service.create_user("emma", PASSWORD)
    db.session.commit()
    app.test_client().post(
        "/login", data={"username": "emma", "password": "wrong"}, headers=headers
    )
    return db.session.scalar(sa.select(LoginAttempt.ip))


def test_behind_nginx_the_client_address_is_the_forwarded_one(proxied_app):
    ip = _failed_login_ip(proxied_app, **{"X-Forwarded-For": "203.0.113.9"})
    assert ip == "203.0.113.9"


def test_without_a_proxy_a_forwarded_address_is_not_believed(app):
    ip = _failed_login_ip(app, **{"X-Forwarded-For": "203.0.113.9"})
    assert ip == "127.0.0.1"


def test_behind_nginx_sockets_accept_the_public_origin(proxied_app):
    handshake = proxied_app.test_client().get(
        "/socket.io/?EIO=4&transport=polling",
        headers={
            "Origin": "https://tacit.example.com",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "tacit.example.com",
        },
    )
    assert handshake.status_code == 200
