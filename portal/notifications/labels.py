"""How a notification and its e-mail settings read, in the reader's language."""

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
        "expert_asked": lambda: _(
            "%(actor)s asks you, as an expert: “%(title)s”", actor=actor, title=title
        ),
        "question_escalated": lambda: _(
            "A question still waiting for an answer was passed on to you: “%(title)s”",
            title=title,
        ),
        "handover_task": lambda: _("A handover task for you: “%(title)s”", title=title),
    }
    text = texts.get(notification.kind)
    return text() if text else title


# E-mail preferences are chosen per kind of mail; each covers some kinds of
# notification (``mail.MAIL_KINDS``).


def mail_kind_label(kind: str) -> str:
    labels = {
        "mention": lambda: _("Someone mentions you"),
        "reply": lambda: _("Replies in threads you watch"),
        "answer": lambda: _("Accepted answers to your questions and your answers"),
        "expert_asked": lambda: _("Questions routed to you as an expert"),
        "question_escalated": lambda: _("Unanswered questions escalated to you"),
        "watched": lambda: _("New threads and page changes in what you watch"),
        "handover_task": lambda: _("Handover tasks for you"),
    }
    label = labels.get(kind)
    return label() if label else kind


def mail_mode_label(mode: str) -> str:
    labels = {
        "immediately": lambda: _("Immediately"),
        "daily": lambda: _("In the daily digest"),
        "weekly": lambda: _("In the weekly digest"),
        "never": lambda: _("Never"),
    }
    label = labels.get(mode)
    return label() if label else mode


def mail_status_label(status: str) -> str:
    labels = {
        "queued": lambda: _("Queued"),
        "sent": lambda: _("Sent"),
        "failed": lambda: _("Failed"),
    }
    label = labels.get(status)
    return label() if label else status
