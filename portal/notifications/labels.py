"""How a notification reads, in its reader's language."""

from flask_babel import gettext as _


def notification_text(notification) -> str:
    actor = (
        notification.actor.display_name
        if notification.actor is not None
        else _("Someone")
    )
    title = notification.title
    texts = {
        "reply": lambda: _(
            "%(actor)s replied to “%(title)s”", actor=actor, title=title
        ),
        "new_thread": lambda: _(
            "%(actor)s started “%(title)s”", actor=actor, title=title
        ),
        "mention": lambda: _(
            "%(actor)s mentioned you in “%(title)s”", actor=actor, title=title
        ),
        "answer_accepted": lambda: _(
            "%(actor)s accepted your answer to “%(title)s”", actor=actor, title=title
        ),
        "answer_accepted_asker": lambda: _(
            "%(actor)s accepted an answer to your question “%(title)s”",
            actor=actor,
            title=title,
        ),
        "page_revised": lambda: _(
            "%(actor)s edited the page “%(title)s”", actor=actor, title=title
        ),
        "new_page": lambda: _(
            "%(actor)s wrote the page “%(title)s”", actor=actor, title=title
        ),
    }
    text = texts.get(notification.kind)
    return text() if text else title
