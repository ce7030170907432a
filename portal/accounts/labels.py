"""How tiers and statuses read, in the reader's language, and how they look.

The labels say "account" and "customer" where a bare word ("Key", "Active")
would share its msgid, and so its translation, with another package's catalog.
"""

from flask_babel import lazy_gettext as _l

TIER_LABELS = {
    "strategic": _l("Strategic account"),
    "key": _l("Key account"),
    "standard": _l("Standard account"),
    "small": _l("Small account"),
}

STATUS_LABELS = {
    "prospect": _l("Prospect"),
    "active": _l("Active customer"),
    "at_risk": _l("At risk"),
    "churned": _l("Churned"),
}

# The badge kind (see _macros.html) for each status: state colours for state.
STATUS_KINDS = {
    "prospect": "neutral",
    "active": "ok",
    "at_risk": "warn",
    "churned": "bad",
}


def tier_label(tier: str) -> str:
    return str(TIER_LABELS.get(tier, tier))


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def status_kind(status: str) -> str:
    return STATUS_KINDS.get(status, "neutral")
