"""Forms for signing in, settings and user administration."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from portal.auth.models import ROLES

LANGUAGE_CHOICES = [("", _l("Browser default")), ("en", "English"), ("zh", "简体中文")]


def role_choices():
    labels = {
        "employee": _l("Employee"),
        "moderator": _l("Moderator"),
        "hr": _l("HR"),
        "admin": _l("Administrator"),
    }
    return [(r, labels[r]) for r in ROLES]


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=200)]
    )
    remember = BooleanField(_l("Keep me signed in on this computer"))


class SettingsForm(FlaskForm):
    display_name = StringField(
        _l("Display name"), validators=[DataRequired(), Length(max=120)]
    )
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=120)])
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    password = PasswordField(
        _l("New password"),
        validators=[Optional(), Length(min=8, max=200)],
        description=_l("Leave empty to keep your password. At least 8 characters."),
    )


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=40)])
    display_name = StringField(
        _l("Display name"), validators=[DataRequired(), Length(max=120)]
    )
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=120)])
    department_id = SelectField(_l("Department"), coerce=int, choices=[])
    role = SelectField(_l("Role"), choices=role_choices)
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(min=8, max=200)],
        description=_l("Required for a new user; leave empty to keep it when editing."),
    )


class DepartmentForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=500)]
    )


class ConfirmForm(FlaskForm):
    """An empty form: a button that posts with a CSRF token."""
