"""Words for the incentives' codes, in the reader's language."""

from flask_babel import gettext as _


def seci_label(mode: str) -> str:
    return {
        "socialization": _("Socialization"),
        "externalization": _("Externalization"),
        "combination": _("Combination"),
        "internalization": _("Internalization"),
        "total": _("Total"),
    }.get(mode, mode)


def seci_help(mode: str) -> str:
    return {
        "socialization": _("Discussion and answers"),
        "externalization": _("Pages, write-ups, handovers"),
        "combination": _("Links and account profiles"),
        "internalization": _("Knowledge reused: accepted answers, pages used"),
    }.get(mode, "")


def reason_label(reason: str) -> str:
    return {
        "withdrawn": _("the vote was withdrawn or changed"),
        "unaccepted": _("the answer is no longer accepted"),
        "deleted": _("it was deleted"),
        "edited": _("an edit removed the link"),
        "moved": _("the thread moved to a discussion forum"),
        "moderation": _("a moderator reversed it"),
        "recompute": _("corrected after a rule change"),
        "changed": _("it no longer earns points"),
    }.get(reason, reason)


def period_label(name: str) -> str:
    return {
        "week": _("This week"),
        "month": _("This month"),
        "quarter": _("This quarter"),
        "year": _("This year"),
        "all": _("All time"),
    }.get(name, name)


def level_label(level: str) -> str:
    return {"bronze": _("Bronze"), "silver": _("Silver"), "gold": _("Gold")}.get(
        level, level
    )
