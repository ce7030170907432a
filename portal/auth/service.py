"""Operations on people: sign-in with lockout, creating and changing users.

Services flush and never commit; the caller commits once.
"""

import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from portal import clock, signals
from portal.auth.models import ROLES, Department, LoginAttempt, User
from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.extensions import db

USERNAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{1,39}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8


def get_user(username: str) -> User:
    """Return the user called ``username``.

    :raises NotFound: when there is none.
    """
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise NotFound(_("There is no user called %(name)s.", name=username))
    return user


def get_department(name: str) -> Department:
    dept = db.session.scalar(sa.select(Department).where(Department.name == name))
    if dept is None:
        raise NotFound(_("There is no department called %(name)s.", name=name))
    return dept


def authenticate(
    username: str,
    password: str,
    *,
    ip: str = "",
    max_failures: int = 10,
    lockout: timedelta = timedelta(minutes=15),
) -> User:
    """Check a username and password and record the attempt.

    :raises Forbidden: when the username is locked out after too many failures,
        or the account is deactivated or departed.
    :raises Invalid: when the username or password is wrong (one message for
        both, so that nobody learns which usernames exist).
    """
    now = clock.now()
    username = (username or "").strip()
    locked = db.session.scalar(
        sa.select(sa.func.max(LoginAttempt.locked_until)).where(
            LoginAttempt.username == username, LoginAttempt.locked_until > now
        )
    )
    if locked is not None:
        minutes = max(1, int((locked - now).total_seconds() // 60) + 1)
        raise Forbidden(
            _(
                "Too many failed logins for this username. Try again in "
                "%(minutes)d minutes, or ask an administrator.",
                minutes=minutes,
            )
        )
    user = db.session.scalar(sa.select(User).where(User.username == username))
    ok = user is not None and bool(password) and user.check_password(password)
    attempt = LoginAttempt(
        username=username[:40], success=ok, ip=ip[:45], created_at=now
    )
    db.session.add(attempt)
    if not ok:
        db.session.flush()
        failures = db.session.scalar(
            sa.select(sa.func.count(LoginAttempt.id)).where(
                LoginAttempt.username == username,
                LoginAttempt.success.is_(False),
                LoginAttempt.created_at > now - lockout,
            )
        )
        if failures >= max_failures:  # this attempt included
            attempt.locked_until = now + lockout
            db.session.flush()
        raise Invalid(_("Wrong username or password."))
    if not user.is_active:
        db.session.flush()
        raise Forbidden(
            _(
                "This account is no longer active. "
                "Ask an administrator if this is a mistake."
            )
        )
    user.last_login_at = now
    db.session.flush()
    return user


def _validate_username(username: str) -> str:
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        raise Invalid(
            _(
                "A username is 2 to 40 letters, digits, dots, dashes or underscores "
                "(no spaces)."
            ),
            details={"field": "username"},
        )
    return username


def _validate_text(
    value: str, field: str, label: str, max_len: int, required=True
) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Invalid(
            _("%(label)s is required.", label=label), details={"field": field}
        )
    if len(value) > max_len:
        raise Invalid(
            _("%(label)s is at most %(n)d characters.", label=label, n=max_len),
            details={"field": field},
        )
    return value


def _validate_email(email: str | None, user: User | None = None) -> str | None:
    email = (email or "").strip() or None
    if email is None:
        return None
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise Invalid(_("That is not an e-mail address."), details={"field": "email"})
    other = db.session.scalar(sa.select(User).where(User.email == email))
    if other is not None and other is not user:
        raise Conflict(
            _("Another user already has this e-mail address."),
            details={"field": "email"},
        )
    return email


def _validate_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise Invalid(
            _("A password has at least %(n)d characters.", n=MIN_PASSWORD),
            details={"field": "password"},
        )
    if len(password) > 200:
        raise Invalid(_("That password is too long."), details={"field": "password"})
    return password


def _validate_role(role: str) -> str:
    if role not in ROLES:
        raise Invalid(
            _(
                "Unknown role %(role)s; choose one of: %(roles)s.",
                role=role,
                roles=", ".join(ROLES),
            ),
            details={"field": "role"},
        )
    return role


def create_user(
    username: str,
    password: str,
    *,
    display_name: str = "",
    email: str | None = None,
    role: str = "employee",
    department: Department | None = None,
    job_title: str = "",
    locale: str | None = None,
    actor: User | None = None,
) -> User:
    """Create an active user.

    :raises Invalid: when a field is missing, too long or malformed.
    :raises Conflict: when the username or e-mail address is taken.
    """
    username = _validate_username(username)
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise Conflict(
            _("The username %(name)s is already taken.", name=username),
            details={"field": "username"},
        )
    user = User(
        username=username,
        display_name=_validate_text(
            display_name or username, "display_name", _("Display name"), 120
        ),
        email=_validate_email(email),
        role=_validate_role(role),
        department=department,
        job_title=_validate_text(job_title, "job_title", _("Job title"), 120, False),
        locale=locale or None,
        active=True,
        session_token=secrets.token_hex(16),
    )
    user.set_password(_validate_password(password))
    db.session.add(user)
    db.session.flush()
    signals.user_created.send(user, actor=actor)
    return user


def update_user(user: User, actor: User | None = None, **fields) -> User:
    """Change a user's profile fields (``display_name``, ``email``, ``job_title``,
    ``department``, ``role``, ``locale``, ``password``).

    :raises Invalid: when a field is malformed.
    :raises Conflict: when the e-mail address belongs to someone else.
    """
    changed = set()
    if "display_name" in fields:
        user.display_name = _validate_text(
            fields["display_name"], "display_name", _("Display name"), 120
        )
        changed.add("display_name")
    if "email" in fields:
        user.email = _validate_email(fields["email"], user)
        changed.add("email")
    if "job_title" in fields:
        user.job_title = _validate_text(
            fields["job_title"], "job_title", _("Job title"), 120, False
        )
        changed.add("job_title")
    if "department" in fields:
        user.department = fields["department"]
        changed.add("department")
    if "role" in fields:
        user.role = _validate_role(fields["role"])
        changed.add("role")
    if "locale" in fields:
        user.locale = fields["locale"] or None
        changed.add("locale")
    if fields.get("password"):
        user.set_password(_validate_password(fields["password"]))
        user.session_token = secrets.token_hex(16)
        changed.add("password")
    db.session.flush()
    signals.user_updated.send(user, actor=actor, changed=changed)
    return user


def deactivate(user: User, actor: User | None = None, *, departed: bool = True) -> User:
    """Stop ``user`` from logging in; with ``departed``, record that they left.

    Their content stays attributed to them. Existing sessions end.

    :raises Invalid: when an admin tries to deactivate themselves.
    """
    if actor is not None and actor.id == user.id:
        raise Invalid(_("You cannot deactivate your own account."))
    user.active = False
    user.session_token = secrets.token_hex(16)
    if departed and user.left_at is None:
        user.left_at = clock.now()
    db.session.flush()
    signals.user_updated.send(user, actor=actor, changed={"active"})
    if departed:
        signals.user_departed.send(user, actor=actor)
    return user


def reactivate(user: User, actor: User | None = None) -> User:
    """Let a deactivated or departed user log in again."""
    user.active = True
    user.left_at = None
    db.session.flush()
    signals.user_updated.send(user, actor=actor, changed={"active"})
    return user


def create_department(name: str, description: str = "") -> Department:
    """Create a department.

    :raises Conflict: when the name is taken.
    """
    name = _validate_text(name, "name", _("Name"), 120)
    if db.session.scalar(sa.select(Department.id).where(Department.name == name)):
        raise Conflict(
            _("A department called %(name)s already exists.", name=name),
            details={"field": "name"},
        )
    dept = Department(
        name=name,
        description=_validate_text(
            description, "description", _("Description"), 500, False
        ),
    )
    db.session.add(dept)
    db.session.flush()
    return dept


def update_department(dept: Department, name: str, description: str = "") -> Department:
    name = _validate_text(name, "name", _("Name"), 120)
    other = db.session.scalar(sa.select(Department).where(Department.name == name))
    if other is not None and other is not dept:
        raise Conflict(
            _("A department called %(name)s already exists.", name=name),
            details={"field": "name"},
        )
    dept.name = name
    dept.description = _validate_text(
        description, "description", _("Description"), 500, False
    )
    db.session.flush()
    return dept
