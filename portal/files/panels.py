"""The document library on the account page."""

from flask_babel import gettext as _

from portal import signals
from portal.extensions import db
from portal.files import service
from portal.signals import Panel

PANEL_LIMIT = 8


def account_panel(account, viewer, **_kw):
    can_attach = (
        service.owner_infos("account", [account.id], viewer)
        .get(account.id, {})
        .get("can_attach", False)
    )

    def values():
        rows = list(
            db.session.scalars(
                service.library_query(account.id, viewer).limit(PANEL_LIMIT + 1)
            )
        )
        return {
            "title": _("Documents"),
            "account": account,
            "rows": service.with_owners(rows[:PANEL_LIMIT], viewer),
            "more": len(rows) > PANEL_LIMIT,
            "can_attach": can_attach,
        }

    return Panel(
        "files/_account_panel.html",
        values,
        order=25,
        # The files the viewer may see, and whether they may add one: the
        # same for everyone with the same answers. A file added, replaced or
        # deleted raises the versions of the accounts it is about (handlers).
        key=(service.library_scope(account.id, viewer), can_attach),
    )


def connect() -> None:
    signals.account_panels.connect(account_panel)
