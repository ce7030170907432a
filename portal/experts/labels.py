"""How evidence, levels and availability read, in the reader's language."""

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

KIND_LABELS = {
    "accepted": _l("Accepted answer"),
    "upvoted": _l("Upvoted answer"),
    "answer": _l("Answer"),
    "post": _l("Forum post"),
    "page": _l("Wrote wiki page"),
    "validated": _l("Validated wiki page"),
}

LEVEL_LABELS = {1: _l("Learning"), 2: _l("Practised"), 3: _l("Expert level")}

AVAILABILITY_LABELS = {
    "available": _l("Available"),
    "busy": _l("Busy"),
    "away": _l("Away"),
}

AVAILABILITY_KINDS = {"available": "ok", "busy": "warn", "away": "neutral"}

# Most telling first, as the explanations list them.
KIND_ORDER = ("accepted", "upvoted", "answer", "post", "page", "validated")


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def count_label(kind: str, n: int) -> str:
    """ "3 accepted answers", in the reader's language."""
    forms = {
        "accepted": lambda: ngettext(
            "%(num)d accepted answer", "%(num)d accepted answers", n
        ),
        "upvoted": lambda: ngettext(
            "%(num)d upvoted answer", "%(num)d upvoted answers", n
        ),
        "answer": lambda: ngettext("%(num)d answer", "%(num)d answers", n),
        "post": lambda: ngettext("%(num)d forum post", "%(num)d forum posts", n),
        "page": lambda: ngettext("%(num)d wiki page", "%(num)d wiki pages", n),
        "validated": lambda: ngettext(
            "%(num)d validated page", "%(num)d validated pages", n
        ),
    }
    return forms[kind]() if kind in forms else f"{n} {kind}"


def counts_summary(counts: dict) -> list[str]:
    return [count_label(k, counts[k]) for k in KIND_ORDER if counts.get(k)]


def level_label(level: int) -> str:
    return str(LEVEL_LABELS.get(level, level))


def availability_label(state: str) -> str:
    return str(AVAILABILITY_LABELS.get(state, state))


def availability_kind(state: str) -> str:
    return AVAILABILITY_KINDS.get(state, "neutral")
