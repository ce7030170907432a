"""The notifications page, marking read, the watch button's endpoint, e-mail
settings, unsubscribe links and the admins' view of the mail queue."""

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.permissions import is_admin, require
from portal.extensions import db
from portal.notifications import mail, service
from portal.notifications.forms import UnsubscribeForm, mail_settings_form
from portal.notifications.labels import mail_kind_label
from portal.notifications.models import MailMessage

bp = Blueprint("notifications", __name__)

PER_PAGE = 30


def _viewer():
    return current_user._get_current_object()


def _local(target: str | None, fallback: str) -> str:
    """Return ``target`` if it is a path on this site, else ``fallback``."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return fallback


@bp.route("/notifications")
def list_notifications():
    viewer = _viewer()
    order = "newest" if request.args.get("order") == "newest" else "unread"
    page = db.paginate(
        service.notifications_for(viewer, order=order),
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "notifications/list.html",
        page=page,
        order=order,
        unread=service.unread_count(viewer, cap=None),
    )


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
def open_notification(notification_id: int):
    """Mark a notification read and go to what it is about."""
    notification = service.mark_read(_viewer(), notification_id)
    url = _local(notification.url, url_for("notifications.list_notifications"))
    db.session.commit()
    return redirect(url, 303)


@bp.route("/notifications/read-all", methods=["POST"])
def mark_all_read():
    count = service.mark_all_read(_viewer())
    db.session.commit()
    if count:
        flash(_("All notifications are marked read."), "success")
    return redirect(url_for("notifications.list_notifications"), 303)


@bp.route("/watch", methods=["POST"])
def toggle_watch():
    """Watch or stop watching a thread, forum, tag, account or page."""
    viewer = _viewer()
    target, target_id = service.check_target(
        viewer, request.form.get("target", ""), request.form.get("target_id")
    )
    if request.form.get("action") == "unwatch":
        service.unwatch(viewer, target, target_id)
        message = _("You no longer watch this.")
    else:
        service.watch(viewer, target, target_id)
        message = _(
            "You are watching this: new activity appears in your notifications."
        )
    db.session.commit()
    flash(message, "success")
    return redirect(_local(request.form.get("next"), url_for("home")), 303)


# --- e-mail -----------------------------------------------------------------------


@bp.route("/settings/mail", methods=["GET", "POST"])
def mail_settings():
    viewer = _viewer()
    kinds = mail.offered_kinds()
    form = mail_settings_form(mail.preferences(viewer), kinds)
    if form.validate_on_submit():
        for kind in kinds:
            mail.set_preference(viewer, kind, form[kind].data)
        db.session.commit()
        flash(_("Your e-mail settings are saved."), "success")
        return redirect(url_for("notifications.mail_settings"), 303)
    status = 400 if form.errors else 200
    return (
        render_template(
            "notifications/mail_settings.html",
            form=form,
            kinds=mail.offered_kinds(),
            mail_enabled=mail.enabled(),
        ),
        status,
    )


@bp.route("/mail/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """Stop one kind of e-mail from a link in a mail; no login needed.

    A GET only shows what the link would do (mail scanners follow links); the
    button posts.
    """
    try:
        user, kind = mail.read_unsubscribe_token(token)
    except mail.TokenExpired:
        return render_template("notifications/unsubscribe.html", problem="expired"), 410
    except mail.TokenInvalid:
        return render_template("notifications/unsubscribe.html", problem="invalid"), 400
    form = UnsubscribeForm()
    done = False
    if form.validate_on_submit():
        mail.set_preference(user, kind, "never")
        db.session.commit()
        done = True
    return render_template(
        "notifications/unsubscribe.html",
        problem=None,
        form=form,
        done=done,
        kind_label=mail_kind_label(kind),
        email=user.email,
    )


MAIL_FILTERS = ("waiting", "failed", "sent")


@bp.route("/admin/mail")
def mail_queue():
    require(is_admin(current_user))
    show = request.args.get("show", "waiting")
    if show not in MAIL_FILTERS:
        show = "waiting"
    stmt = sa.select(MailMessage).options(sa.orm.joinedload(MailMessage.user))
    if show == "waiting":
        stmt = stmt.where(MailMessage.status == "queued").order_by(
            MailMessage.next_attempt_at, MailMessage.id
        )
    else:
        stmt = stmt.where(MailMessage.status == show).order_by(
            MailMessage.created_at.desc(), MailMessage.id.desc()
        )
    page = db.paginate(
        stmt,
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "notifications/mail_queue.html",
        page=page,
        show=show,
        counts=mail.queue_counts(),
        mail_enabled=mail.enabled(),
    )


@bp.route("/admin/mail/<int:mail_id>/retry", methods=["POST"])
def retry_mail(mail_id: int):
    require(is_admin(current_user))
    message = db.session.get(MailMessage, mail_id)
    if message is None:
        abort(404)
    if message.status != "sent":
        mail.retry(message)
        db.session.commit()
        flash(_("The mail is queued again."), "success")
    return redirect(url_for("notifications.mail_queue", show="waiting"), 303)


@bp.route("/admin/mail/flush", methods=["POST"])
def flush_mail():
    require(is_admin(current_user))
    result = mail.flush()
    if result.retrying or result.failed:
        flash(
            _(
                "Sent %(sent)d; %(waiting)d will be tried again, %(failed)d failed. "
                "Last error: %(error)s",
                sent=result.sent,
                waiting=result.retrying,
                failed=result.failed,
                error=result.errors[-1],
            ),
            "error",
        )
    else:
        flash(_("Sent %(sent)d mails.", sent=result.sent), "success")
    return redirect(url_for("notifications.mail_queue"), 303)
