"""Settings, each overridable from the environment.

The embedded default needs nothing set: SQLite and the search index live in the
instance folder, and a development secret key is generated once and kept there.
Production (``TACIT_ENV=production``) refuses to start without ``SECRET_KEY``.
"""

import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the portal must not start."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path, production: bool) -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if production:
        raise ConfigError(
            "SECRET_KEY must be set in production (TACIT_ENV=production)."
        )
    # Development: generate once and keep it, so sessions survive restarts.
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load(instance_path: str) -> dict:
    """Return the settings for an app whose instance folder is ``instance_path``."""
    inst = Path(instance_path)
    inst.mkdir(parents=True, exist_ok=True)
    production = os.environ.get("TACIT_ENV", "development") == "production"
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{inst / 'tacit.db'}"
    return {
        "TACIT_ENV": "production" if production else "development",
        "SECRET_KEY": _secret_key(inst, production),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "SOCKETIO_CHANNEL": os.environ.get("SOCKETIO_CHANNEL", "tacit-socketio"),
        "SEARCH_INDEX_DIR": os.environ.get("SEARCH_INDEX_DIR")
        or str(inst / "search-index"),
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR") or str(inst / "uploads"),
        "LOGIN_MAX_FAILURES": int(os.environ.get("LOGIN_MAX_FAILURES", "10")),
        "LOGIN_LOCKOUT_MINUTES": int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")),
        "BABEL_DEFAULT_LOCALE": "en",
        "LANGUAGES": ["en", "zh"],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production
        or _bool(os.environ.get("SESSION_COOKIE_SECURE")),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 32 * 2**20)),
        "PER_PAGE": 30,
        # How many proxies (nginx) stand in front and set X-Forwarded-*: their
        # values are then trusted for the client's address, scheme and host.
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT", "0")),
        # Rendered HTML and aggregates kept in each process's memory (entries;
        # 0 keeps nothing): see docs/production.md, "Memory".
        "FORUMS_POST_CACHE_SIZE": int(os.environ.get("FORUMS_POST_CACHE_SIZE", "2000")),
        "FORUMS_ROW_CACHE_SIZE": int(os.environ.get("FORUMS_ROW_CACHE_SIZE", "2000")),
        "NAVIGATION_CACHE_SIZE": int(os.environ.get("NAVIGATION_CACHE_SIZE", "1000")),
        "HANDOVER_RISK_CACHE": int(os.environ.get("HANDOVER_RISK_CACHE", "64")),
        "ACCOUNT_PANEL_CACHE_SIZE": int(
            os.environ.get("ACCOUNT_PANEL_CACHE_SIZE", "1000")
        ),
        "TIMELINE_CACHE_SIZE": int(os.environ.get("TIMELINE_CACHE_SIZE", "1000")),
    }
