"""Who may do what with people: named predicates shared by views and templates."""

from flask import abort


def require(allowed: bool) -> None:
    """Abort the request with 403 unless ``allowed``; views call it first thing."""
    if not allowed:
        abort(403)


def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_admin(user) -> bool:
    return _authenticated(user) and user.role == "admin"


def is_moderator(user) -> bool:
    """Moderators and admins moderate content."""
    return _authenticated(user) and user.role in ("moderator", "admin")


def is_hr(user) -> bool:
    """HR and admins see contribution reports and run handovers."""
    return _authenticated(user) and user.role in ("hr", "admin")


def can_manage_users(user) -> bool:
    return is_admin(user)


def can_edit_profile(user, profile_user) -> bool:
    return _authenticated(user) and (user.id == profile_user.id or is_admin(user))


PREDICATES = {
    "is_admin": is_admin,
    "is_moderator": is_moderator,
    "is_hr": is_hr,
    "can_manage_users": can_manage_users,
    "can_edit_profile": can_edit_profile,
}
