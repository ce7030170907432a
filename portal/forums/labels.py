"""How moderation actions read, in the reader's language."""

from flask_babel import lazy_gettext as _l

MODERATION_LABELS = {
    "pin": _l("Pinned"),
    "unpin": _l("Unpinned"),
    "lock": _l("Locked"),
    "unlock": _l("Unlocked"),
    "move": _l("Moved"),
    "edit_post": _l("Edited a post"),
    "delete_post": _l("Deleted a post"),
    "restore_post": _l("Restored a post"),
    "accept": _l("Accepted an answer"),
    "unaccept": _l("Withdrew an accepted answer"),
}


def moderation_label(action: str) -> str:
    return str(MODERATION_LABELS.get(action, action))
