"""How handover prompts, statuses and risk levels read, and how they look."""

from flask_babel import lazy_gettext as _l

# The interview prompts for an account at risk: the five layers of customer
# knowledge, then what a successor most often misses.
ACCOUNT_PROMPTS = (
    "identification",
    "channels",
    "needs",
    "behaviour",
    "value",
    "contacts",
    "history",
    "breaks",
)

PROMPT_LABELS = {
    "identification": _l("Who the customer is"),
    "channels": _l("How we reach them"),
    "needs": _l("What they need"),
    "behaviour": _l("How they behave"),
    "value": _l("What the relationship is worth"),
    "contacts": _l("Key contacts and what they care about"),
    "history": _l("History and decisions"),
    "breaks": _l("What will break when you leave"),
    "page": _l("Review and hand over this page"),
    "asked": _l("Answer or reassign your open question"),
    "routed": _l("Answer or reassign a question routed to you"),
    "custom": _l("Added by HR"),
}

PROMPT_QUESTIONS = {
    "identification": _l(
        "Who is this customer really: the legal entity, the group it belongs to, "
        "who decides and who signs?"
    ),
    "channels": _l(
        "How do we reach them: which channels work, with whom, how often, and what "
        "to avoid?"
    ),
    "needs": _l("What do they need from us now and next year, said and unsaid?"),
    "behaviour": _l(
        "How do they behave: how they buy, complain, escalate, pay; what surprised you?"
    ),
    "value": _l(
        "What is the relationship worth, what is at stake, and where could it grow "
        "or be lost?"
    ),
    "contacts": _l(
        "Who are the people that matter there, what does each care about, and how "
        "do you work with them?"
    ),
    "history": _l(
        "What was decided with this customer, when and why? What was tried and "
        "did not work?"
    ),
    "breaks": _l(
        "What will break or be forgotten when you are gone: promises, renewals, "
        "workarounds only you know?"
    ),
    "page": _l(
        "You wrote most of this page. Is it still right? Note what your successor "
        "should check or update."
    ),
    "asked": _l(
        "Close the question, or note what your successor should follow up: it "
        "moves to them when you leave."
    ),
    "routed": _l(
        "Answer it now (your answer is posted in the thread), or note who should "
        "take it over."
    ),
    "custom": _l("Write down what you know."),
}

# Headings written into account profile pages. They are content, not
# interface: the page keeps them whatever its later readers' language, so both
# languages are in the text (as in the wiki's page templates).
PROMPT_HEADINGS = {
    "identification": "客户识别 Who the customer is",
    "channels": "沟通渠道 How we reach them",
    "needs": "客户需求 What they need",
    "behaviour": "客户行为 How they behave",
    "value": "客户价值 What the relationship is worth",
    "contacts": "关键联系人 Key contacts and what they care about",
    "history": "历史与决定 History and decisions",
    "breaks": "离职风险 What will break when I leave",
    "custom": "交接 Handover",
}

CASE_STATUS_LABELS = {
    "open": _l("Open"),
    "in_progress": _l("In progress"),
    "closed": _l("Closed"),
}

ITEM_STATUS_LABELS = {
    "pending": _l("To write"),
    "drafted": _l("Draft saved"),
    "captured": _l("Written down"),
    "understood": _l("Understood"),
    "session": _l("Session requested"),
}

ITEM_STATUS_KINDS = {
    "pending": "neutral",
    "drafted": "warn",
    "captured": "neutral",
    "understood": "ok",
    "session": "warn",
}

LEVEL_LABELS = {
    "high": _l("High risk"),
    "medium": _l("Medium risk"),
    "low": _l("Low risk"),
}
LEVEL_KINDS = {"high": "bad", "medium": "warn", "low": "ok"}


def prompt_label(key: str) -> str:
    return str(PROMPT_LABELS.get(key, key))


def prompt_question(key: str) -> str:
    return str(PROMPT_QUESTIONS.get(key, ""))


def case_status_label(status: str) -> str:
    return str(CASE_STATUS_LABELS.get(status, status))


def item_status_label(status: str) -> str:
    return str(ITEM_STATUS_LABELS.get(status, status))


def item_status_kind(status: str) -> str:
    return ITEM_STATUS_KINDS.get(status, "neutral")


def level_label(level: str) -> str:
    return str(LEVEL_LABELS.get(level, level))


def level_kind(level: str) -> str:
    return LEVEL_KINDS.get(level, "neutral")
