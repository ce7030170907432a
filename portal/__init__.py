"""Tacit: the application factory."""

import importlib
import logging
from collections import ChainMap
from pathlib import Path

from flask import (
    Flask,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.templating import Environment
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import config as config_module
from portal import effects, errors, fragments, i18n, versions
from portal.extensions import (
    babel,
    configure_sqlite,
    csrf,
    db,
    login_manager,
    migrate,
    socketio,
)

ROOT = Path(__file__).resolve().parent.parent

# Feature packages, in layer order (DESIGN.md): each has ``init_app(app)`` that
# registers its blueprint, CLI, signal handlers and template globals.
FEATURES = [
    "auth",
    "accounts",
    "tags",
    "files",
    "forums",
    "wiki",
    "search",
    "experts",
    "incentives",
    "notifications",
    "handover",
    "api",
]

# Endpoints reachable without logging in.
PUBLIC_ENDPOINTS = {"auth.login", "static", "healthz", "notifications.unsubscribe"}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class _TemplateGlobals(ChainMap):
    """A template's globals (its own over the environment's), whose ``keys()``
    is a plain set. Jinja compares them with the page's globals at every
    ``{% from … import %}``; through a ChainMap's key view that is a generator
    per global (the portal has about a hundred), half a millisecond a page."""

    def keys(self):
        return set().union(*self.maps)


class _Environment(Environment):
    def make_globals(self, d):
        return _TemplateGlobals({} if d is None else d, self.globals)


def create_app(config: dict | None = None) -> Flask:
    """Build the portal. ``config`` overrides settings (tests use it)."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.jinja_environment = _Environment
    if config and config.get("INSTANCE_PATH"):
        app.instance_path = config["INSTANCE_PATH"]
    app.config.from_mapping(config_module.load(app.instance_path))
    if config:
        app.config.from_mapping(config)
    logging.basicConfig(level=logging.INFO)

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked in _init_login
    csrf.init_app(app)
    # Templates ask fragments for the token: a panel kept for other readers
    # gets a hole instead of this reader's token.
    app.jinja_env.globals["csrf_token"] = fragments.csrf_token
    app.context_processor(lambda: {"csrf_token": fragments.csrf_token})
    _init_login(app)
    _init_babel(app)
    socketio.init_app(
        app,
        async_mode="threading",
        message_queue=app.config["REDIS_URL"],
        channel=app.config["SOCKETIO_CHANNEL"],
        # Same origin only (python-engineio checks Origin against Host and the
        # X-Forwarded-* headers nginx sets): no cross-site page may open a socket.
        cors_allowed_origins=None,
        logger=False,
        engineio_logger=False,
    )
    if app.config.get("PROXY_COUNT"):
        # Outermost, so the sockets and the pages both see the client's
        # address, scheme and host as nginx received them.
        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    effects.init_app(app)
    errors.init_app(app)
    versions.init_app(app)
    fragments.init_app(app)

    for name in FEATURES:
        importlib.import_module(f"portal.{name}").init_app(app)

    from portal import cli, views

    views.init_app(app)
    cli.init_app(app)
    _init_security(app)
    _init_navigation(app)
    return app


def _init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"

    @app.before_request
    def require_login():
        if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
            return None
        if errors.is_api_request():
            return errors.json_error(
                401,
                "unauthorized",
                "Send a valid token: Authorization: Bearer <token>.",
            )
        if errors.wants_json():
            return errors.json_error(401, "unauthorized", "Log in first.")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.before_request
    def check_csrf():
        # Every form is protected. The token API is not: a session cookie does
        # not authenticate it (auth's user loader ignores sessions there), so a
        # forged cross-site request carries no credentials.
        if app.config.get("WTF_CSRF_ENABLED", True) and not errors.is_api_request():
            csrf.protect()


def _init_babel(app: Flask) -> None:
    i18n.compile_all()
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = i18n.translation_directories()

    def select_locale():
        if not has_request_context():
            return None  # CLI and tests outside a request: the default language
        if current_user.is_authenticated and current_user.locale:
            return current_user.locale
        return request.accept_languages.best_match(app.config["LANGUAGES"]) or "en"

    def select_timezone():
        if (
            has_request_context()
            and current_user.is_authenticated
            and current_user.time_zone
        ):
            return current_user.time_zone
        return None

    babel.init_app(
        app, locale_selector=select_locale, timezone_selector=select_timezone
    )
    i18n.install(app.jinja_env)


def _init_navigation(app: Flask) -> None:
    """The ``navigation()`` template global: every page's top bar for the
    signed-in reader, rendered once per reader, language and section
    (``portal/fragments.py``); the unread count, the search words and the CSRF
    token are filled in for each request."""
    cache = fragments.FragmentCache(app.config.get("NAVIGATION_CACHE_SIZE", 1000))
    globals_ = app.jinja_env.globals
    holes = {name: fragments.hole(name) for name in ("q", "unread", "token")}

    def navigation():
        if fragments.shared():
            # A page kept for other readers too (fragments.render_page): this
            # reader's navigation is filled in when it is served.
            return Markup(fragments.hole("nav"))  # noqa: S704
        user = current_user._get_current_object()
        context = {
            # What _nav.html may read, all of it in the key.
            "user": {"username": user.username, "display_name": user.display_name},
            "manage_users": globals_["can_manage_users"](user),
            "blueprint": request.blueprint,
        }
        key = (
            str(get_locale()),
            request.script_root,
            user.username,
            user.display_name,
            context["manage_users"],
            context["blueprint"],
        )
        fragment = cache.get(
            key, lambda: render_template("_nav.html", **context, **holes)
        )
        unread = ""
        if "notifications.list_notifications" in app.view_functions:
            unread = globals_["unread_notifications"]() or ""
        search = request.endpoint == "search.search"
        return fragment.fill(
            {
                "q": request.args.get("q", "") if search else "",
                "unread": unread,
                "token": generate_csrf(),
            }
        )

    globals_["navigation"] = navigation


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _init_security(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        # No text column can store a NUL character (PostgreSQL refuses it),
        # and nobody types one: refuse the request before any service sees it.
        values = [list((request.view_args or {}).values())]
        values += [vs for _, vs in request.args.lists()]
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            values += [vs for _, vs in request.form.lists()]
            if request.is_json:
                values.append(request.get_json(silent=True))
        if _has_nul(values):
            from flask_babel import gettext

            raise errors.Invalid(gettext("Text may not contain NUL characters."))

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if current_user.is_authenticated:
            # Pages show what this person may see; no shared cache may keep them.
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response
