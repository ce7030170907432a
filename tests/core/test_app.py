"""Settings from the environment, and error pages that explain instead of crash."""

import pytest
from flask import abort

from portal import config, create_app


def test_production_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("TACIT_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        config.load(str(tmp_path))


def test_production_takes_the_key_and_secures_cookies(tmp_path, monkeypatch):
    monkeypatch.setenv("TACIT_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    settings = config.load(str(tmp_path))
    assert settings["SECRET_KEY"] == "from-the-environment"
    assert settings["SESSION_COOKIE_SECURE"] is True


def test_development_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("TACIT_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.load(str(tmp_path))["SECRET_KEY"]
    assert len(first) >= 32
    assert config.load(str(tmp_path))["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_defaults_live_in_the_instance_folder(tmp_path, monkeypatch):
    for name in ("DATABASE_URL", "SEARCH_INDEX_DIR", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = config.load(str(tmp_path))
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'tacit.db'}"
    assert settings["SEARCH_INDEX_DIR"] == str(tmp_path / "search-index")
    assert settings["REDIS_URL"] is None


def test_environment_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@127.0.0.1:5432/tacit")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    settings = config.load(str(tmp_path))
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert settings["REDIS_URL"] == "redis://127.0.0.1:6379/3"


def test_friendly_404(login, employee):
    response = login(employee).get("/no/such/page")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "There is nothing here" in text
    assert 'class="topbar"' in text  # the navigation is still there


def test_friendly_404_in_chinese(login, make):
    response = login(make.user("xiaowang", locale="zh")).get("/no/such/page")
    assert "这里什么也没有" in response.get_data(as_text=True)


@pytest.fixture
def failing_app(_schema, database_url, tmp_path):
    app = create_app(
        {
            "TESTING": False,  # let the error handler answer, as in production
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": database_url,
        }
    )

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    @app.route("/api/v1/boom")
    def api_boom():
        abort(418)

    from portal import PUBLIC_ENDPOINTS

    PUBLIC_ENDPOINTS.update({"boom", "api_boom"})
    yield app
    PUBLIC_ENDPOINTS.difference_update({"boom", "api_boom"})
    from portal.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_server_error_page_hides_the_traceback(failing_app):
    response = failing_app.test_client().get("/boom")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "failed to answer" in text
    assert "secret internals" not in text and "Traceback" not in text


def test_api_errors_are_json(failing_app):
    response = failing_app.test_client().get("/api/v1/boom")
    assert response.status_code == 418
    assert response.get_json()["error"]["code"]


def test_health_is_public(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
