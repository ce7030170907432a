"""Notifications: watching threads, forums, tags, accounts and pages; the unread
count, live."""


def init_app(app) -> None:
    from flask_login import current_user

    from portal.notifications import handlers, service
    from portal.notifications.labels import notification_text
    from portal.notifications.views import bp

    def unread_notifications() -> str:
        """The navigation badge: "", a number, or "99+"."""
        return service.badge_text(service.unread_count(current_user))

    def watching_now(target: str, target_id: int) -> bool:
        """Whether the reader watches it; a global, so panels (rendered without
        the page's context) can ask too."""
        return service.is_watching(current_user, target, target_id)

    app.register_blueprint(bp)
    handlers.init_app(app)
    app.jinja_env.globals.update(
        unread_notifications=unread_notifications,
        is_watching=service.is_watching,
        watching_now=watching_now,
        notification_text=notification_text,
    )
