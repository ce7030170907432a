"""Who may do what with customer accounts: predicates shared by views and templates."""

from portal.auth.permissions import is_admin, is_moderator


def _active(user) -> bool:
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
    )


def can_create_account(user) -> bool:
    """Every active employee may record a customer the portal does not know yet."""
    return _active(user)


def can_edit_account(user, account) -> bool:
    """Moderators, admins and the account's own manager keep it up to date."""
    return _active(user) and (
        is_moderator(user) or account.account_manager_id == user.id
    )


def can_import_accounts(user) -> bool:
    """Only admins import: one file can change every account."""
    return _active(user) and is_admin(user)


PREDICATES = {
    "can_create_account": can_create_account,
    "can_edit_account": can_edit_account,
    "can_import_accounts": can_import_accounts,
}
