"""Who may see and do what in a handover: predicates shared by views and templates.

HR and admins see and run every case. A manager runs their department's cases:
the portal has no manager or department-head field, so a manager is a
moderator (or admin) of the leaver's department. The leaver sees their own
case and answers its items; a successor sees the items handed to them and
reviews them. Nobody else learns that a case exists (404).
"""

from portal.auth.permissions import is_hr, is_moderator


def _user(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_manager_of(user, leaver) -> bool:
    """A moderator or admin of the leaver's department, not the leaver."""
    return (
        _user(user)
        and is_moderator(user)
        and leaver is not None
        and user.id != leaver.id
        and user.department_id is not None
        and user.department_id == leaver.department_id
    )


def can_run_handovers(user) -> bool:
    """HR and admins: every case, the dashboard, and opening cases for anyone."""
    return is_hr(user)


def can_open_case(user, leaver=None) -> bool:
    """HR for anyone; a manager for their department (``leaver`` None: anyone)."""
    if can_run_handovers(user):
        return True
    if leaver is None:
        return _user(user) and is_moderator(user) and user.department_id is not None
    return is_manager_of(user, leaver)


def can_manage_case(user, case) -> bool:
    """Refresh, add items, transfer and close: HR and the leaver's manager."""
    return can_run_handovers(user) or is_manager_of(user, case.leaver)


def is_leaver(user, case) -> bool:
    return _user(user) and user.id == case.leaver_id


def is_successor(user, case) -> bool:
    return _user(user) and any(link.user_id == user.id for link in case.successor_links)


def can_view_case(user, case) -> bool:
    return (
        can_manage_case(user, case) or is_leaver(user, case) or is_successor(user, case)
    )


def can_see_all_items(user, case) -> bool:
    return can_manage_case(user, case) or is_leaver(user, case)


def can_see_item(user, item) -> bool:
    return can_see_all_items(user, item.case) or (
        _user(user) and item.successor_id == user.id
    )


def can_answer_item(user, item) -> bool:
    """Only the leaver writes: the answer is attributed to them."""
    return is_leaver(user, item.case) and not item.case.closed


def can_review_item(user, item) -> bool:
    return (
        _user(user)
        and not item.case.closed
        and (item.successor_id == user.id or can_manage_case(user, item.case))
    )


def can_view_risk(user) -> bool:
    """Knowledge at risk and "what if": HR, admins and managers (moderators)."""
    return is_hr(user) or is_moderator(user)


PREDICATES = {
    "can_open_handover": can_open_case,
    "can_manage_handover": can_manage_case,
    "can_view_handover": can_view_case,
    "can_answer_handover_item": can_answer_item,
    "can_review_handover_item": can_review_item,
    "can_view_risk": can_view_risk,
}
