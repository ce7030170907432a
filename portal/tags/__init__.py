"""Tags shared by the whole portal, and a page per tag."""


def init_app(app) -> None:
    from portal.tags.views import bp

    app.register_blueprint(bp)
