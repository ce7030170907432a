"""The document library on the account page."""

from flask_babel import gettext as _

from portal import signals
from portal.extensions import db
from portal.files import service
from portal.signals import Panel

PANEL_LIMIT = 8


def account_panel(account, viewer, **_kw):
    rows = list(
        db.session.scalars(
            service.library_query(account.id, viewer).limit(PANEL_LIMIT + 1)
        )
    )
    can_attach = (
        service.owner_infos("account", [account.id], viewer)
        .get(account.id, {})
        .get("can_attach", False)
    )
    return Panel(
        "files/_account_panel.html",
        {
            "title": _("Documents"),
            "account": account,
            "rows": service.with_owners(rows[:PANEL_LIMIT], viewer),
            "more": len(rows) > PANEL_LIMIT,
            "can_attach": can_attach,
        },
        order=25,
    )


def connect() -> None:
    signals.account_panels.connect(account_panel)
