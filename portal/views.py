"""The portal's own pages (home, health) and the template helpers every page uses."""

from datetime import datetime

from flask import render_template
from flask_babel import format_datetime, format_timedelta, get_locale
from flask_login import current_user

from portal import clock, signals


def home():
    """The person's own page, composed of the packages' ``home_panels``.

    Each package answers with what matters to the viewer in its domain (see
    DESIGN.md); this view imports none of them. Still to come with the handover
    package: knowledge-at-risk warnings on the viewer's accounts and their
    handover tasks, as two more panels.
    """
    panels = signals.collect_panels(
        signals.home_panels, current_user._get_current_object()
    )
    return render_template("home.html", panels=panels)


def healthz():
    return {"status": "ok"}


def time_ago(value: datetime | None) -> str:
    """Return "3 hours ago" for ``value``, in the reader's language."""
    if value is None:
        return ""
    return format_timedelta(value - clock.now(), add_direction=True, threshold=1.0)


def full_time(value: datetime | None) -> str:
    """Return the date and time in the reader's time zone and format."""
    return "" if value is None else format_datetime(value, "medium")


def init_app(app) -> None:
    def has_endpoint(endpoint: str) -> bool:
        return endpoint in app.view_functions

    def current_locale_tag() -> str:
        locale = get_locale()
        return "zh-Hans" if locale and locale.language == "zh" else "en"

    app.jinja_env.globals.update(
        has_endpoint=has_endpoint,
        current_locale_tag=current_locale_tag,
        # A global, not only Flask-Login's context variable, so that panels
        # included from macros see it too.
        current_user=current_user,
    )
    app.add_url_rule("/", "home", home)
    app.add_url_rule("/healthz", "healthz", healthz)
    app.jinja_env.filters["time_ago"] = time_ago
    app.jinja_env.filters["full_time"] = full_time
