"""The JSON API v1 for CRM and ERP integration, with personal access tokens."""

import click
from flask import current_app, g, request
from flask.cli import with_appcontext

from portal.errors import is_api_request, json_error


def init_app(app) -> None:
    from portal import PUBLIC_ENDPOINTS
    from portal.api import (  # noqa: F401 - they declare routes
        experts,
        files,
        forums,
        openapi,
        points,
        search,
        v1,
        views,
        wiki,
    )
    from portal.api.common import PUBLIC, bp
    from portal.api.ratelimit import RateLimiter
    from portal.extensions import login_manager

    app.config.setdefault("API_RATE_LIMIT", 600)
    app.extensions["tacit_ratelimit"] = RateLimiter(app.config.get("REDIS_URL"))
    PUBLIC_ENDPOINTS.update(PUBLIC)

    @login_manager.request_loader
    def load_user_from_token(req):
        if not is_api_request():
            return None
        header = req.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        from portal import clock
        from portal.api.service import find_token

        token = find_token(secret.strip())
        if token is None:
            return None
        g.api_token = token
        # Recorded at most once a minute: a GET should not write on every call.
        now = clock.now()
        if (
            token.last_used_at is None
            or (now - token.last_used_at).total_seconds() > 60
        ):
            token.last_used_at = now
            from portal.extensions import db

            db.session.commit()
        return token.user

    @app.before_request
    def rate_limit():
        # Every API path, whichever package serves it; runs after require_login,
        # which loaded the token's user.
        if not is_api_request():
            return None
        token = g.get("api_token")
        key = f"token:{token.id}" if token is not None else f"ip:{request.remote_addr}"
        limiter = current_app.extensions["tacit_ratelimit"]
        allowed, retry_after = limiter.hit(key, current_app.config["API_RATE_LIMIT"])
        if not allowed:
            response, status = json_error(
                429, "rate_limited", f"Too many requests; retry in {retry_after} s."
            )
            response.headers["Retry-After"] = str(retry_after)
            return response, status
        return None

    app.register_blueprint(bp)
    app.cli.add_command(api_token_cli)


@click.group("api-token", help="Personal access tokens for the JSON API.")
def api_token_cli():
    pass


@api_token_cli.command("create")
@click.argument("username")
@click.option("--name", default="", help="What the token is for.")
@with_appcontext
def create_token_command(username, name):
    """Create a token for USERNAME and print it (shown only once)."""
    from portal.api.service import create_token
    from portal.auth.service import get_user
    from portal.errors import DomainError
    from portal.extensions import db

    try:
        user = get_user(username)
        if not user.is_active:
            raise click.ClickException(f"{username} cannot sign in any more.")
        _token, secret = create_token(user, name)
    except DomainError as e:
        raise click.ClickException(e.message) from None
    db.session.commit()
    click.echo(secret)
