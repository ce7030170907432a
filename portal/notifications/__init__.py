"""Notifications: watching threads, forums, tags, accounts and pages; the unread
count, live; e-mail (at once or in digests) and the home page's own panel."""


def init_app(app) -> None:
    import sqlalchemy as sa
    from flask import g
    from flask_login import current_user
    from sqlalchemy.orm import Session

    from portal.notifications import handlers, home, mail, service
    from portal.notifications.cli import digest_cli, mail_cli
    from portal.notifications.labels import mail_status_label, notification_text
    from portal.notifications.views import bp

    def unread_notifications() -> str:
        """The navigation badge: "", a number, or "99+"."""
        if "unread_count" not in g:
            g.unread_count = service.unread_count(current_user)
        return service.badge_text(g.unread_count)

    def watching_now(target: str, target_id: int) -> bool:
        """Whether the reader watches it; a global, so panels (rendered without
        the page's context) and a kept page's key can ask too (once a request).
        Asked before the navigation's unread count, it asks that in the same
        query."""
        asked = g.setdefault("watching_now", {})
        if (target, target_id) not in asked:
            if "unread_count" in g:
                watching = service.is_watching(current_user, target, target_id)
            else:
                g.unread_count, watching = service.unread_and_watching(
                    current_user, target, target_id
                )
            asked[target, target_id] = watching
        return asked[target, target_id]

    if not sa.event.contains(Session, "after_commit", _forget_count):
        sa.event.listen(Session, "after_commit", _forget_count)
    mail.init_app(app)
    app.register_blueprint(bp)
    app.cli.add_command(mail_cli)
    app.cli.add_command(digest_cli)
    handlers.init_app(app)
    home.init_app(app)
    app.jinja_env.globals.update(
        unread_notifications=unread_notifications,
        is_watching=service.is_watching,
        watching_now=watching_now,
        notification_text=notification_text,
        mail_status_label=mail_status_label,
    )


def _forget_count(_session) -> None:
    """A count asked before a commit is asked again after it."""
    from flask import g, has_request_context

    if has_request_context():
        g.pop("unread_count", None)
