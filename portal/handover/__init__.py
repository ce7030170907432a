"""Handover: capture what a departing employee knows, hand it to successors, and
show which customer accounts hang on one person (knowledge at risk)."""


def init_app(app) -> None:
    # The models module is imported for its tables, so the schema knows them.
    from portal.handover import (  # noqa: F401
        handlers,
        labels,
        models,
        permissions,
        risk_cache,
    )
    from portal.handover.cli import handover_cli
    from portal.handover.evidence import DEFAULT_WINDOW_DAYS
    from portal.handover.views import bp

    app.config.setdefault("HANDOVER_EVIDENCE_DAYS", DEFAULT_WINDOW_DAYS)
    app.register_blueprint(bp)
    app.cli.add_command(handover_cli)
    handlers.init_app(app)
    handlers.connect()
    risk_cache.init_app(app)
    app.jinja_env.globals.update(permissions.PREDICATES)
    app.jinja_env.globals.update(
        handover_prompt_label=labels.prompt_label,
        handover_prompt_question=labels.prompt_question,
        handover_case_status=labels.case_status_label,
        handover_item_status=labels.item_status_label,
        handover_item_kind=labels.item_status_kind,
        risk_level_label=labels.level_label,
        risk_level_kind=labels.level_kind,
    )
