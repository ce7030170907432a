"""Signing in: passwords, lockout, departed users, sessions."""

from datetime import timedelta

import pytest

from portal import clock
from portal.auth import service
from portal.extensions import db
from tests.factories import PASSWORD


def _login(client, username, password=PASSWORD, **extra):
    return client.post(
        "/login", data={"username": username, "password": password, **extra}
    )


def test_pages_need_login(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert "/login?next=/admin/users" in response.headers["Location"]


def test_login_page_is_public(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b'name="username"' in response.data
    assert b'name="password"' in response.data


def test_login_with_right_password(client, employee):
    response = _login(client, "emma")
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_login_redirects_to_next_on_this_site_only(client, employee):
    response = client.post(
        "/login?next=/settings", data={"username": "emma", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/settings"
    client.post("/logout")
    response = client.post(
        "/login?next=//evil.example/x", data={"username": "emma", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_wrong_password_is_refused_with_one_message(client, employee):
    wrong = _login(client, "emma", "not the password")
    unknown = _login(client, "nobody", "whatever")
    assert wrong.status_code == unknown.status_code == 401
    assert b"Wrong username or password" in wrong.data
    assert b"Wrong username or password" in unknown.data
    # The typed username stays in the form.
    assert b'value="emma"' in wrong.data


def test_lockout_after_ten_failures_then_released(client, employee, monkeypatch):
    for _ in range(10):
        assert _login(client, "emma", "bad password").status_code == 401
    locked = _login(client, "emma")  # even the right password is refused now
    assert locked.status_code == 403
    assert b"Too many failed logins" in locked.data

    later = clock.now() + timedelta(minutes=16)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert _login(client, "emma").status_code == 302


def test_nine_failures_do_not_lock(client, employee):
    for _ in range(9):
        _login(client, "emma", "bad password")
    assert _login(client, "emma").status_code == 302


def test_old_failures_do_not_count(client, employee, monkeypatch):
    for _ in range(9):
        _login(client, "emma", "bad password")
    later = clock.now() + timedelta(minutes=20)
    monkeypatch.setattr(clock, "now", lambda: later)
    _login(client, "emma", "bad password")
    assert _login(client, "emma").status_code == 302


def test_departed_user_cannot_log_in_and_keeps_attribution(client, make):
    leaver = make.user("leaver", display_name="Lena Leaver")
    service.deactivate(leaver, departed=True)
    db.session.commit()
    response = _login(client, "leaver")
    assert response.status_code == 403
    assert b"no longer active" in response.data
    # The profile still names them.
    make.user("viewer")
    client.post("/login", data={"username": "viewer", "password": PASSWORD})
    page = client.get("/u/leaver")
    assert page.status_code == 200
    assert "Lena Leaver" in page.get_data(as_text=True)


def test_deactivation_ends_existing_sessions(client, employee):
    _login(client, "emma")
    assert client.get("/settings").status_code == 200
    service.deactivate(db.session.merge(employee), departed=False)
    db.session.commit()
    assert client.get("/settings").status_code == 302


def test_session_changes_on_login(client, employee):
    client.get("/login")
    with client.session_transaction() as sess:
        sess["planted"] = "by someone else"
    before = client.get_cookie("session").value
    _login(client, "emma")
    after = client.get_cookie("session").value
    assert before != after
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess.get("sid")


def test_remember_me_sets_a_long_lived_cookie(client, employee):
    _login(client, "emma", remember="y")
    assert client.get_cookie("remember_token") is not None


def test_logout_needs_post(client, employee):
    _login(client, "emma")
    assert client.get("/logout").status_code == 405
    client.post("/logout")
    assert client.get("/settings").status_code == 302


@pytest.mark.parametrize("data", [{}, {"username": "emma"}, {"password": "x"}])
def test_incomplete_login_form_is_a_400(client, data):
    assert client.post("/login", data=data).status_code == 400
