"""Forms of the wiki. The service validates the content; the forms carry it."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField

BODY_HELP = _l(
    "Markdown. [[Page title]] links to a page, [[Page title|your words]] with a "
    "label of your own; @username mentions a colleague; ``` fences code."
)


class _BodyFields(FlaskForm):
    body = TextAreaField(_l("Text"), description=BODY_HELP)
    summary = StringField(
        _l("Edit summary"),
        description=_l("What you changed, in a few words; shown in the history."),
    )


class _MetaFields(_BodyFields):
    tags = StringField(
        _l("Tags"), description=_l("Comma-separated, for example: 理赔, onboarding")
    )
    accounts = StringField(
        _l("Customer accounts"),
        description=_l("Names or CRM references of the accounts this page is about."),
    )


class NewPageForm(_MetaFields):
    title = StringField(
        _l("Title"), description=_l("Chinese or English; it also makes the address.")
    )
    state = SelectField(
        _l("State"),
        choices=[("published", _l("Published")), ("draft", _l("Draft"))],
        default="published",
        description=_l("A draft is visible to everyone but marked unfinished."),
    )


class EditPageForm(_MetaFields):
    # The revision the text was loaded from: saving compares it with the
    # current one so that nobody's changes are overwritten.
    base_revision = HiddenField()


class ProfileForm(_BodyFields):
    base_revision = HiddenField()


class RenameForm(FlaskForm):
    title = StringField(
        _l("New title"),
        description=_l("The old title keeps working: links and bookmarks follow."),
    )


class ConfirmForm(FlaskForm):
    """An empty form: a button that posts with a CSRF token."""
