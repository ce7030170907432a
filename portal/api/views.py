"""The settings page where people create and revoke their own tokens."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.api import service
from portal.api.common import bp
from portal.errors import DomainError, flash_error
from portal.extensions import db


@bp.route("/settings/tokens", methods=["GET", "POST"])
def list_tokens():
    user = current_user._get_current_object()
    new_secret = None
    status = 200
    if request.method == "POST":
        try:
            _token, new_secret = service.create_token(
                user, request.form.get("name", "")
            )
        except DomainError as e:
            db.session.rollback()
            flash_error(e)
            status = e.status
        else:
            db.session.commit()
    return (
        render_template(
            "api/tokens.html", tokens=service.user_tokens(user), new_secret=new_secret
        ),
        status,
    )


@bp.route("/settings/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int):
    token = service.get_user_token(current_user, token_id)
    service.revoke(token)
    db.session.commit()
    flash(_("The token %(name)s no longer works.", name=token.name), "success")
    return redirect(url_for("api.list_tokens"))
