"""The wiki: pages with revisions, diffs, links, knowledge states and account
profiles; externalization of what people know (SECI)."""


def init_app(app) -> None:
    # The models module is imported for its tables, so the schema knows them.
    from portal.wiki import (  # noqa: F401
        attachments,
        handlers,
        home,
        labels,
        models,
        permissions,
        service,
        writeup,
    )
    from portal.wiki.views import bp

    app.register_blueprint(bp)
    handlers.init_app(app)
    home.init_app(app)
    attachments.connect()
    app.config.setdefault("WIKI_REVIEW_AFTER_DAYS", service.DEFAULT_REVIEW_AFTER_DAYS)
    app.jinja_env.globals.update(permissions.PREDICATES)
    app.jinja_env.globals.update(
        wiki_state_label=labels.state_label,
        wiki_state_help=labels.state_help,
        wiki_state_kind=labels.state_kind,
        wiki_move_label=labels.move_label,
        wiki_review_due=service.review_due,
        # For the forums' thread page, which may not import the wiki.
        thread_write_up=writeup.written_up_as,
    )
