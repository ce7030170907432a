"""People: users, departments, roles, signing in, profiles, administration."""

import functools

import sqlalchemy as sa

from portal import versions

# What pages about accounts show of a person, or count on: a change to any of
# them changes every account's page (portal.versions).
SHOWN = ("active", "left_at", "username", "display_name", "job_title")


def init_app(app) -> None:
    from portal.auth import permissions
    from portal.auth.cli import users_cli
    from portal.auth.models import User
    from portal.auth.views import bp
    from portal.errors import is_api_request
    from portal.extensions import db, login_manager

    @login_manager.user_loader
    def load_user(user_id: str):
        # The id carries the session token: a changed password or a
        # deactivation makes every older session and remember cookie invalid.
        if is_api_request():
            return None  # the API authenticates by token only, never by cookie
        uid, _, token = user_id.partition(":")
        if not uid.isdigit() or not token:
            return None
        user = db.session.scalar(_by_session(), {"uid": int(uid), "token": token})
        return user if user is not None and user.is_active else None

    versions.on_flush(User, _people_touch)
    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
    app.jinja_env.globals.update(permissions.PREDICATES)
    app.jinja_env.globals["role_label"] = role_label


@functools.cache
def _by_session() -> sa.Select:
    """The user of a session: built once, since every request asks (a
    statement is immutable, so threads share it)."""
    from portal.auth.models import User

    return sa.select(User).where(
        User.id == sa.bindparam("uid"), User.session_token == sa.bindparam("token")
    )


def _people_touch(session, users) -> set[str]:
    if any(u in session.dirty and versions.changed(u, SHOWN) for u in users):
        return {versions.ALL}
    return set()


def role_label(role: str) -> str:
    from flask_babel import gettext as _

    return {
        "employee": _("Employee"),
        "moderator": _("Moderator"),
        "hr": _("HR"),
        "admin": _("Administrator"),
    }.get(role, role)
