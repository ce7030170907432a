"""Forums: boards, threads and posts about customers, Q&A, votes, moderation, live."""


def init_app(app) -> None:
    from portal.forums import attachments, home, live, panels, permissions
    from portal.forums.cli import forums_cli
    from portal.forums.labels import moderation_label
    from portal.forums.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(forums_cli)
    app.jinja_env.globals.update(permissions.PREDICATES)
    app.jinja_env.globals["moderation_label"] = moderation_label
    panels.init_app(app)
    live.init_app(app)
    home.init_app(app)
    attachments.connect()
