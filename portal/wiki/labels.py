"""How knowledge states and the moves between them read, and how they look."""

from flask_babel import lazy_gettext as _l

STATE_LABELS = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "validated": _l("Validated"),
    "archived": _l("Archived"),
}

STATE_HELP = {
    "draft": _l("Work in progress: read it with care."),
    "published": _l("Written down, not yet validated by an expert."),
    "validated": _l("Checked by an expert or a moderator."),
    "archived": _l("Kept for the record; no longer current."),
}

# State colours only for state (UI.md): green validated, grey otherwise.
STATE_KINDS = {
    "draft": "neutral",
    "published": "neutral",
    "validated": "ok",
    "archived": "neutral",
}

# What the button that moves a page from one state to another says.
_MOVES = {
    ("draft", "published"): _l("Publish"),
    ("published", "draft"): _l("Back to draft"),
    ("draft", "validated"): _l("Validate"),
    ("published", "validated"): _l("Validate"),
    ("validated", "validated"): _l("Confirm it is still valid"),
    ("validated", "published"): _l("Withdraw validation"),
    ("draft", "archived"): _l("Archive"),
    ("published", "archived"): _l("Archive"),
    ("validated", "archived"): _l("Archive"),
    ("archived", "published"): _l("Unarchive"),
}


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


def state_help(state: str) -> str:
    return str(STATE_HELP.get(state, ""))


def state_kind(state: str) -> str:
    return STATE_KINDS.get(state, "neutral")


def move_label(old: str, new: str) -> str:
    return str(_MOVES.get((old, new), STATE_LABELS.get(new, new)))
