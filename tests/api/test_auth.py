"""Tokens: creation, revocation, lockout, and cookies that do not count."""

import pytest

from portal.api.models import ApiToken
from portal.auth import service as auth_service
from portal.extensions import db
from tests.factories import PASSWORD


def _error(response):
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def test_no_token_is_a_401_in_the_error_format(client):
    response = client.get("/api/v1/accounts")
    assert response.status_code == 401
    assert _error(response)["code"] == "unauthorized"


def test_a_session_cookie_does_not_authenticate_the_api(login, employee):
    web = login(employee)
    assert web.get("/accounts").status_code == 200
    assert web.get("/api/v1/accounts").status_code == 401


def test_token_from_password_works_and_is_stored_hashed(client, employee):
    response = client.post(
        "/api/v1/tokens",
        json={"username": "emma", "password": PASSWORD, "name": "CRM"},
    )
    assert response.status_code == 201
    secret = response.get_json()["token"]
    stored = db.session.get(ApiToken, response.get_json()["id"])
    assert secret not in (stored.token_hash, stored.prefix)
    listing = client.get(
        "/api/v1/accounts", headers={"Authorization": f"Bearer {secret}"}
    )
    assert listing.status_code == 200


def test_wrong_password_counts_toward_the_lockout(client, employee):
    for _ in range(10):
        response = client.post(
            "/api/v1/tokens", json={"username": "emma", "password": "wrong password"}
        )
        assert response.status_code == 401
        assert _error(response)["code"] == "invalid_credentials"
    locked = client.post(
        "/api/v1/tokens", json={"username": "emma", "password": PASSWORD}
    )
    assert locked.status_code == 403
    assert "Too many failed logins" in _error(locked)["message"]
    # The web login is locked too: it is one lockout.
    assert (
        client.post(
            "/login", data={"username": "emma", "password": PASSWORD}
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"username": "emma"},
        {"username": "emma", "password": 3},
        {"username": "emma", "password": "x", "extra": 1},
    ],
)
def test_bad_token_requests_are_400(client, employee, body):
    response = client.post("/api/v1/tokens", json=body)
    assert response.status_code == 400
    _error(response)


def test_revoked_token_gets_401(api, employee):
    client = api(employee)
    assert client.delete("/tokens/current").status_code == 204
    assert client.get("/accounts").status_code == 401


def test_departed_owner_token_stops_working(api, employee):
    client = api(employee)
    auth_service.deactivate(db.session.merge(employee), departed=True)
    db.session.commit()
    assert client.get("/accounts").status_code == 401


def test_rate_limit_answers_429_with_retry_after(app, api, employee, steady_clock):
    # The window is a minute of the clock, held still so the four fall in one.
    app.config["API_RATE_LIMIT"] = 3
    client = api(employee)
    statuses = [client.get("/accounts").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/accounts")
    assert int(response.headers["Retry-After"]) >= 1
    assert _error(response)["code"] == "rate_limited"


def test_cli_creates_a_working_token(runner, employee, client):
    result = runner.invoke(args=["api-token", "create", "emma", "--name", "ERP"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    response = client.get(
        "/api/v1/accounts", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200


def test_cli_refuses_unknown_user(runner):
    result = runner.invoke(args=["api-token", "create", "ghost"])
    assert result.exit_code != 0
    assert "no user called ghost" in result.output


def test_settings_page_creates_shows_once_and_revokes(login, employee, client):
    web = login(employee)
    page = web.post("/settings/tokens", data={"name": "My script"}).get_data(
        as_text=True
    )
    assert "shown only once" in page
    secret = page.split("<pre><code>")[1].split("</code>")[0]
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/accounts", headers=headers).status_code == 200
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.name == "My script"))
    assert secret not in web.get("/settings/tokens").get_data(as_text=True)
    web.post(f"/settings/tokens/{token.id}/revoke")
    assert client.get("/api/v1/accounts", headers=headers).status_code == 401


def test_cannot_revoke_someone_elses_token(login, employee, make):
    other = make.user("other")
    from portal.api import service

    token, _ = service.create_token(other, "theirs")
    db.session.commit()
    assert (
        login(employee).post(f"/settings/tokens/{token.id}/revoke").status_code == 404
    )
    assert db.session.get(ApiToken, token.id).active
