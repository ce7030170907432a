"""Forms for threads, posts, moving threads and managing forums.

Length and required checks live in the service, so that the message is the
same from the web, the API and the CLI; the forms only carry the fields.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

BODY_HELP = _l(
    "Markdown: **bold**, *italic*, > quote, lists, ``` fenced code ```. "
    "[[Page title]] links a wiki page, @username notifies a colleague."
)


class ActionForm(FlaskForm):
    """An empty form: a button that posts with a CSRF token."""


class ThreadForm(FlaskForm):
    forum = SelectField(_l("Forum"), coerce=int, choices=[])
    title = StringField(
        _l("Title"),
        description=_l(
            "One sentence that says what it is about, as a question if it is one."
        ),
    )
    body = TextAreaField(_l("Text"), description=BODY_HELP)
    tags = StringField(
        _l("Tags"),
        validators=[Optional()],
        description=_l("Comma-separated, for example: billing, 续约, integration."),
    )
    accounts = StringField(
        _l("Customer accounts"),
        validators=[Optional()],
        description=_l(
            "CRM references or exact names of the accounts this is about, "
            "comma-separated, for example: CRM-10001, ACME Manufacturing."
        ),
    )


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Text"), description=BODY_HELP)
    page = IntegerField(validators=[Optional()])


class PostEditForm(FlaskForm):
    title = StringField(_l("Title"))
    body = TextAreaField(_l("Text"), description=BODY_HELP)
    tags = StringField(_l("Tags"), validators=[Optional()])
    accounts = StringField(
        _l("Customer accounts"),
        validators=[Optional()],
        description=_l("CRM references or exact names, comma-separated."),
    )


class MoveForm(FlaskForm):
    forum = SelectField(_l("Move to"), coerce=int, choices=[])


class ForumForm(FlaskForm):
    name = StringField(_l("Name"))
    slug = StringField(
        _l("Address"),
        validators=[Optional()],
        description=_l(
            "The last part of the forum's URL; made from the name if empty."
        ),
    )
    description = TextAreaField(_l("Description"), validators=[Optional()])
    kind = SelectField(
        _l("Kind"),
        choices=[
            ("discussion", _l("Discussion: conversations in order")),
            ("questions", _l("Questions: answers voted up, one accepted")),
        ],
    )
    department_id = SelectField(
        _l("Visible to"),
        coerce=int,
        choices=[],
        description=_l(
            "Restrict the forum to one department; moderators and administrators "
            "always see it."
        ),
    )
    position = IntegerField(
        _l("Order"),
        validators=[Optional()],
        description=_l("Forums are listed by this number, smallest first."),
    )
