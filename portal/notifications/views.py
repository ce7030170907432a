"""The notifications page, marking read, and the watch button's endpoint."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db
from portal.notifications import service

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
