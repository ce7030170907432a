"""Forms for the rules page, the settings and moderators' actions.

Range checks live in the service, so the message is the same from every
caller; the forms carry the fields and refuse what is not a number.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget


class ActionForm(FlaskForm):
    """An empty form: a button that posts with a CSRF token."""


class RuleForm(FlaskForm):
    points = IntegerField(
        _l("Points"),
        validators=[InputRequired(_l("Enter a whole number of points."))],
        description=_l("Negative for a cost, between -1000 and 1000."),
    )
    enabled = BooleanField(_l("Rule in force"))
    seci = SelectField(
        _l("SECI mode"),
        choices=[],
        description=_l("Where these points show in the HR contribution reports."),
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _number(label, description):
    return IntegerField(
        label,
        validators=[InputRequired(_l("Enter a whole number."))],
        description=description,
    )


class SettingsForm(FlaskForm):
    daily_vote_cap = _number(
        _l("Daily cap on points from votes"),
        _l("Per person and UTC day. Accepted answers are not capped."),
    )
    revision_min_size = _number(
        _l("Minimum size of a substantial wiki revision"),
        _l("Characters added plus removed."),
    )
    excluded_departments = MultiCheckboxField(
        _l("Departments left off the leaderboard"), coerce=int, choices=[]
    )
    excluded_roles = MultiCheckboxField(
        _l("Roles left off the leaderboard"), choices=[]
    )
    suspicious_daily_votes = _number(
        _l("Suspicious: upvotes to one person in a day"),
        _l("From this many upvotes by one person to another in one day."),
    )
    suspicious_mutual_votes = _number(
        _l("Suspicious: upvotes each way between two people"),
        _l("From this many upvotes in both directions within the window."),
    )
    suspicious_window_days = _number(
        _l("Window for suspicious voting, in days"), _l("From 1 to 366.")
    )
