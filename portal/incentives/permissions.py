"""Who may see and change what in the incentives: predicates shared by views
and templates."""

from portal.auth.permissions import is_admin, is_hr, is_moderator


def _active(user) -> bool:
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
    )


def can_view_reports(user) -> bool:
    """HR and admins see contribution reports; nobody else, by any route."""
    return _active(user) and is_hr(user)


def can_view_points(viewer, user) -> bool:
    """A person's ledger is theirs, and HR's and admins'."""
    return _active(viewer) and (viewer.id == user.id or is_hr(viewer))


def can_manage_rules(user) -> bool:
    return _active(user) and is_admin(user)


def can_review_votes(user) -> bool:
    """Moderators look into suspicious voting and reverse its points."""
    return _active(user) and is_moderator(user)


PREDICATES = {
    "can_view_reports": can_view_reports,
    "can_view_points": can_view_points,
    "can_manage_rules": can_manage_rules,
    "can_review_votes": can_review_votes,
}
