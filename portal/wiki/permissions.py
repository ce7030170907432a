"""Who may do what with wiki pages: predicates shared by views and templates.

Every logged-in person reads the wiki; every active person writes it. Deleted
pages are seen by moderators only; archived pages are read-only except for
moderators, who archive and unarchive. Moderators, admins and the page's
recognised experts validate (KCS).
"""

import sqlalchemy as sa
from flask import g, has_app_context

from portal import signals
from portal.auth.models import User
from portal.auth.permissions import is_moderator
from portal.extensions import db
from portal.wiki import contributors

# From state → to state → who may make the move: "edit" (anyone who may edit
# the page), "validate" (moderators and recognised experts), "moderate".
TRANSITIONS = {
    "draft": {"published": "edit", "validated": "validate", "archived": "moderate"},
    "published": {"draft": "edit", "validated": "validate", "archived": "moderate"},
    "validated": {"published": "validate", "archived": "moderate"},
    "archived": {"published": "moderate"},
}

# A contributor who wrote at least this share of a page's text counts as one of
# its experts.
EXPERT_SHARE = 0.25
MAX_EXPERTS = 3


def _active(user) -> bool:
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
    )


def recognised_experts(page) -> set[int]:
    """Return the ids of the users recognised as experts on ``page``.

    The people who wrote most of a page know its subject: up to three active
    contributors who each wrote at least a quarter of its text. So do the
    people whose evidence elsewhere shows it, as the ``page_experts`` signal
    answers (the experts package). The author of the current revision is left
    out, so that no change is validated by the person who made it: validation
    always means a second pair of eyes.
    """
    if page.id is None:
        return set()
    current = page.current_revision
    # The author object, not author_id: on a revision not yet flushed only the
    # relationship is set.
    current_author = current.author.id if current and current.author else None
    key = (page.id, current.number if current else None, current_author)
    cache = g.setdefault("_wiki_experts", {}) if has_app_context() else {}
    if key in cache:
        return cache[key]
    candidates = [
        uid
        for uid, share in contributors.shares(page.id)
        if share >= EXPERT_SHARE and uid != current_author
    ][:MAX_EXPERTS]
    # Experts known from evidence elsewhere (the experts package answers).
    for _, answer in signals.page_experts.send(page):
        candidates += [uid for uid in answer or () if uid != current_author]
    experts = set()
    if candidates:
        experts = {
            user.id
            for user in db.session.scalars(
                sa.select(User).where(User.id.in_(candidates))
            )
            if user.is_active
        }
    cache[key] = experts
    return experts


def can_view_page(user, page) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return not page.deleted or is_moderator(user)


def can_create_page(user) -> bool:
    return _active(user)


def can_edit_page(user, page) -> bool:
    """Anyone active edits a live page; archived pages only moderators."""
    if not _active(user) or page.deleted:
        return False
    return page.state != "archived" or is_moderator(user)


def can_rename_page(user, page) -> bool:
    return can_edit_page(user, page)


def can_revert_page(user, page) -> bool:
    return can_edit_page(user, page)


def can_delete_page(user, page) -> bool:
    return _active(user) and is_moderator(user) and not page.deleted


def can_restore_page(user, page) -> bool:
    return _active(user) and is_moderator(user) and page.deleted


def can_validate_page(user, page) -> bool:
    """Moderators, admins and the page's recognised experts validate it."""
    if not _active(user) or page.deleted:
        return False
    return is_moderator(user) or user.id in recognised_experts(page)


def can_change_state(user, page, new_state: str) -> bool:
    """Tell whether ``user`` may move ``page`` to ``new_state`` (see TRANSITIONS)."""
    if not _active(user) or page.deleted:
        return False
    needed = TRANSITIONS.get(page.state, {}).get(new_state)
    if needed == "edit":
        return can_edit_page(user, page)
    if needed == "validate":
        return can_validate_page(user, page)
    if needed == "moderate":
        return is_moderator(user)
    return False


def allowed_states(user, page) -> list[str]:
    """Return the states ``user`` may move ``page`` to, in TRANSITIONS order."""
    return [
        state
        for state in TRANSITIONS.get(page.state, {})
        if can_change_state(user, page, state)
    ]


def can_write_profile(user, account) -> bool:
    """Everyone active contributes to what we know about a customer."""
    return _active(user)


def can_write_up_thread(user, thread) -> bool:
    """Whoever reads a thread may write it up, unless its forum is restricted.

    Wiki pages are read by everyone, and people who wrote in a department's
    forum did not write for everyone; nor is a deleted thread written up.
    """
    from portal.forums.permissions import can_read_thread

    return (
        _active(user)
        and can_read_thread(user, thread)
        and not thread.forum.restricted
        and thread.deleted_at is None
    )


PREDICATES = {
    "can_view_page": can_view_page,
    "can_create_page": can_create_page,
    "can_edit_page": can_edit_page,
    "can_rename_page": can_rename_page,
    "can_revert_page": can_revert_page,
    "can_delete_page": can_delete_page,
    "can_restore_page": can_restore_page,
    "can_validate_page": can_validate_page,
    "can_change_page_state": can_change_state,
    "allowed_page_states": allowed_states,
    "can_write_profile": can_write_profile,
    "can_write_up_thread": can_write_up_thread,
}
