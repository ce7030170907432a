"""Domain errors and how they reach the user.

Services raise these; views let them propagate. A web request gets a friendly
page with the right status, an API request (under ``/api/``) the JSON error
format. Nothing here reveals a traceback.
"""

from flask import flash, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A refused action, with a message fit to show the user."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class Invalid(DomainError):
    """The input cannot be accepted (missing, too long, malformed)."""

    status = 400
    code = "invalid"


class Forbidden(DomainError):
    """The acting user may not do this."""

    status = 403
    code = "forbidden"


class NotFound(DomainError):
    """The object does not exist, or the acting user may not know it exists."""

    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The action collides with the current state (a duplicate, a stale edit)."""

    status = 409
    code = "conflict"


def is_api_request() -> bool:
    """Whether this request is for the token-authenticated JSON API."""
    return request.path.startswith("/api/")


def wants_json() -> bool:
    return is_api_request() or (request.accept_mimetypes.best == "application/json")


def json_error(status: int, code: str, message: str, details: dict | None = None):
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return jsonify(body), status


def _page(status: int, title: str, message: str):
    return (
        render_template(
            "errors/error.html", status=status, title=title, message=message
        ),
        status,
    )


_TITLES = {
    400: lambda: _("Bad request"),
    401: lambda: _("Please log in"),
    403: lambda: _("Not allowed"),
    404: lambda: _("Not found"),
    405: lambda: _("Method not allowed"),
    409: lambda: _("Conflict"),
    413: lambda: _("Too large"),
    422: lambda: _("Cannot process"),
    429: lambda: _("Too many requests"),
    500: lambda: _("Something went wrong"),
}


def _title(status: int) -> str:
    return _TITLES.get(status, _TITLES[400 if status < 500 else 500])()


def handle_domain_error(error: DomainError):
    from portal.extensions import db

    db.session.rollback()
    if wants_json():
        return json_error(error.status, error.code, error.message, error.details)
    return _page(error.status, _title(error.status), error.message)


def handle_http_error(error: HTTPException):
    if wants_json():
        code = (error.name or "error").lower().replace(" ", "_")
        return json_error(error.code or 500, code, error.description or "")
    status = error.code or 500
    messages = {
        403: _("You do not have permission to see this page."),
        404: _("There is nothing here. It may have been moved or deleted."),
        405: _("This address does not accept that kind of request."),
        413: _("The upload is larger than the portal accepts."),
    }
    return _page(status, _title(status), messages.get(status, error.description))


def handle_server_error(error):
    from portal.extensions import db

    db.session.rollback()
    if wants_json():
        return json_error(500, "server_error", "The server failed; it has been logged.")
    return _page(
        500,
        _title(500),
        _("The portal failed to answer. It has been logged; please try again."),
    )


def flash_error(error: DomainError) -> None:
    """Show a domain error on the next rendered page."""
    flash(error.message, "error")


def attach_to_form(form, error: DomainError) -> None:
    """Show a service error next to the form field it names, else above the form."""
    field = getattr(form, error.details.get("field", ""), None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        flash_error(error)


def init_app(app) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(500, handle_server_error)
