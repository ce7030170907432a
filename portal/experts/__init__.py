"""Experts: declared skills, expertise inferred from evidence, find an expert,
ask an expert (routing, escalation, resolved cases); internalization (SECI)."""

import os


def init_app(app) -> None:
    # The models module is imported for its tables, so the schema knows them.
    from portal.errors import Invalid
    from portal.experts import (  # noqa: F401
        handlers,
        labels,
        models,
        ranking,
        service,
        text,
    )
    from portal.experts.cli import experts_cli
    from portal.experts.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(experts_cli)
    handlers.connect()
    # Settings, each overridable from the environment like the portal's own.
    for name, default in (
        ("EXPERTS_HALF_LIFE_DAYS", 365),
        ("EXPERTS_ESCALATE_AFTER_HOURS", service.DEFAULT_ESCALATE_AFTER_HOURS),
        ("EXPERTS_ROUTE_COUNT", service.DEFAULT_ROUTE_COUNT),
        # Tests write and rank at once: they read the statistics every time.
        ("EXPERTS_CORPUS_SECONDS", 0 if app.testing else ranking.CORPUS_SECONDS),
        ("EXPERTS_PAGE_SECONDS", 0 if app.testing else service.PAGE_EXPERTS_SECONDS),
    ):
        app.config.setdefault(name, float(os.environ.get(name, default)))

    def expert_suggestions(q: str, limit: int = 3):
        """The top experts for a search, for the search page's prompt; never fails."""
        from flask_login import current_user

        try:
            return ranking.rank(
                q, viewer=current_user._get_current_object(), limit=limit, explain=False
            )
        except Invalid:
            return []

    if not app.testing:
        # Load jieba's dictionary at start-up, not on the first search; it
        # keeps its cache in the instance folder.
        os.makedirs(app.instance_path, exist_ok=True)
        text.init(app.instance_path)

    app.jinja_env.globals.update(
        expert_suggestions=expert_suggestions,
        expert_kind_label=labels.kind_label,
        expert_counts_summary=labels.counts_summary,
        expert_level_label=labels.level_label,
        expert_availability_label=labels.availability_label,
        expert_availability_kind=labels.availability_kind,
        expert_request_for=service.request_for,
        expert_resolved_case=service.resolved_case,
        can_edit_expertise=service.can_edit_expertise,
    )
