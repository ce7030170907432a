"""Customer accounts: who our customers are, the account page, CSV import."""

from portal import versions


def _accounts_touch(session, accounts) -> set[str]:
    # An account's name, manager and details show on its page's panels.
    return {versions.account(a.id) for a in accounts if a in session.dirty}


def init_app(app) -> None:
    from portal.accounts import attachments, home, labels, permissions
    from portal.accounts.cli import accounts_cli
    from portal.accounts.models import CustomerAccount
    from portal.accounts.views import bp

    versions.on_flush(CustomerAccount, _accounts_touch)
    app.register_blueprint(bp)
    attachments.connect()
    app.cli.add_command(accounts_cli)
    home.init_app(app)
    app.jinja_env.globals.update(permissions.PREDICATES)
    app.jinja_env.globals.update(
        account_tier_label=labels.tier_label,
        account_status_label=labels.status_label,
        account_status_kind=labels.status_kind,
    )
