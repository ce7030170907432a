"""Forms for declared expertise. Checks live in the service, so that the
message is the same from the web, the API and the CLI."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from portal.experts.labels import AVAILABILITY_LABELS, LEVEL_LABELS


class ActionForm(FlaskForm):
    """An empty form: a button that posts with a CSRF token."""


class ProfileForm(FlaskForm):
    ask_me_about = TextAreaField(
        _l("Ask me about"),
        validators=[Optional()],
        description=_l("What colleagues may ask you, in a sentence or a few words."),
    )
    availability = SelectField(
        _l("Availability"),
        choices=[(k, v) for k, v in AVAILABILITY_LABELS.items()],
        description=_l("Only available people receive routed questions."),
    )
    away_until = StringField(
        _l("Away until"),
        validators=[Optional()],
        description=_l("When you are away: the date you are back, YYYY-MM-DD."),
        render_kw={"type": "date"},
    )
    accounts = StringField(
        _l("Accounts I work on"),
        validators=[Optional()],
        description=_l("CRM references or exact names, comma-separated."),
    )


class SkillForm(FlaskForm):
    tag = StringField(
        _l("Skill"),
        description=_l("A tag, for example: billing, 续约, integration."),
    )
    level = SelectField(
        _l("Level"),
        choices=[(str(k), v) for k, v in LEVEL_LABELS.items()],
        default="2",
    )
