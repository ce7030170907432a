"""Forms of the handover. The service validates the content; the forms carry it."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField


class OpenCaseForm(FlaskForm):
    leaver = StringField(
        _l("Who is leaving"), description=_l("Their username, for example liwei.")
    )
    leaving_on = StringField(
        _l("Leaving date"), description=_l("Their last day, as YYYY-MM-DD.")
    )
    successors = StringField(
        _l("Successors"),
        description=_l(
            "Usernames separated by commas; the first is the main successor, who "
            "takes over watched threads and open questions."
        ),
    )
    note = TextAreaField(_l("Note"), description=_l("Optional: what HR should know."))


class AddItemForm(FlaskForm):
    title = StringField(_l("What should be written down"))
    account = StringField(
        _l("Customer account"),
        description=_l(
            "Optional: its name or CRM reference; the answer goes into its profile."
        ),
    )
    successor = StringField(
        _l("For successor"),
        description=_l("Optional: a username; else the main successor."),
    )
    due_on = StringField(_l("Due date"), description=_l("Optional, as YYYY-MM-DD."))


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Your answer"),
        description=_l(
            "Markdown. Save as you go; “Hand over” writes it down for your successor."
        ),
    )


class ReviewForm(FlaskForm):
    note = TextAreaField(
        _l("Note"), description=_l("Optional: what is unclear, or when to meet.")
    )


class ConfirmForm(FlaskForm):
    pass
