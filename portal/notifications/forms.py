"""Forms of the notifications package: e-mail settings and unsubscribing."""

from flask_wtf import FlaskForm
from wtforms import RadioField

from portal.notifications.labels import mail_kind_label, mail_mode_label
from portal.notifications.models import MAIL_MODES


def mail_settings_form(current: dict[str, str], kinds) -> FlaskForm:
    """Return a form with one choice of mode per mail kind, set to ``current``."""

    class MailSettingsForm(FlaskForm):
        pass

    for kind in kinds:
        setattr(
            MailSettingsForm,
            kind,
            RadioField(
                mail_kind_label(kind),
                choices=[(mode, mail_mode_label(mode)) for mode in MAIL_MODES],
                default=current[kind],
            ),
        )
    return MailSettingsForm()


class UnsubscribeForm(FlaskForm):
    """Only the CSRF token: the link's token says who and what."""
