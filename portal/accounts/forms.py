"""Forms for creating, editing and importing customer accounts."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.accounts.labels import STATUS_LABELS, TIER_LABELS
from portal.accounts.models import STATUSES, TIERS


def tier_choices():
    return [(tier, TIER_LABELS[tier]) for tier in TIERS]


def status_choices():
    return [(status, STATUS_LABELS[status]) for status in STATUSES]


class AccountForm(FlaskForm):
    name = StringField(
        _l("Account name"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("The customer's name as people know it, in Chinese or English."),
    )
    crm_ref = StringField(
        _l("CRM reference"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("The account's id in the CRM, for example CRM-10001."),
    )
    industry = StringField(_l("Industry"), validators=[Optional(), Length(max=120)])
    region = StringField(_l("Region"), validators=[Optional(), Length(max=120)])
    tier = SelectField(_l("Tier"), choices=tier_choices, default="standard")
    status = SelectField(_l("Status"), choices=status_choices, default="active")
    account_manager = StringField(
        _l("Account manager"),
        validators=[Optional(), Length(max=40)],
        description=_l("The username of the colleague who manages this account."),
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=2000)]
    )


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(_l("Choose a CSV file to import.")),
            FileAllowed(["csv"], _l("Upload a .csv file.")),
        ],
        description=_l(
            "UTF-8 (with or without BOM) or GBK. Columns: crm_ref and name are "
            "required; industry, region, tier, status, account_manager (a username) "
            "and description are optional. Chinese headers such as 客户编号 and "
            "客户名称 work too. An empty cell keeps the account's current value."
        ),
    )
    dry_run = BooleanField(_l("Dry run: check the file and show what would change"))
