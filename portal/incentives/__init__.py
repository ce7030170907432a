"""Incentives: an append-only points ledger with anti-gaming rules, badges,
leaderboards, and HR contribution reports (SECI) with charts and CSV."""


def init_app(app) -> None:
    # The models module is imported for its tables, so the schema knows them.
    from portal.incentives import (  # noqa: F401
        handlers,
        home,
        labels,
        models,
        panels,
        permissions,
    )
    from portal.incentives.cli import incentives_cli
    from portal.incentives.models import SECI
    from portal.incentives.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(incentives_cli)
    handlers.connect()
    panels.init_app(app)
    home.init_app(app)
    app.jinja_env.globals.update(permissions.PREDICATES)
    app.jinja_env.globals.update(
        incentives_seci=SECI,
        seci_label=labels.seci_label,
        seci_help=labels.seci_help,
        points_period_label=labels.period_label,
        badge_level_label=labels.level_label,
    )
