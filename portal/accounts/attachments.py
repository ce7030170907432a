"""The accounts' answers to the files package: documents filed straight on a
customer account, seen by every colleague, added by every active one."""

import sqlalchemy as sa

from portal import signals
from portal.accounts.models import CustomerAccount
from portal.accounts.permissions import can_create_account
from portal.extensions import db

KIND = "account"


def _reader(viewer) -> bool:
    return bool(viewer is not None and getattr(viewer, "is_authenticated", False))


def visible(kind, owner_id, viewer, **_):
    if kind != KIND:
        return None
    return _reader(viewer) and db.session.get(CustomerAccount, owner_id) is not None


def owner(kind, ids=None, ref=None, viewer=None, **_):
    if kind != KIND:
        return None
    if ref is not None:
        ids = [int(ref)] if str(ref).isdigit() and int(ref) < 2**31 else []
    if not ids:
        return {}
    # The account page asks about the account it has just loaded: take what
    # the session already holds, and ask the database only for the rest.
    held = [
        db.session.identity_map.get(sa.orm.Session.identity_key(CustomerAccount, i))
        for i in ids
    ]
    accounts = [a for a in held if a is not None]
    missing = [i for i, a in zip(ids, held, strict=True) if a is None]
    if missing:
        accounts += db.session.scalars(
            sa.select(CustomerAccount).where(CustomerAccount.id.in_(missing))
        )
    return {
        a.id: {
            "id": a.id,
            "title": a.name,
            "url": a.url,
            "account_ids": [a.id],
            "deleted": False,
            "forum_id": None,
            # Any colleague may file a document on a customer, as on the wiki.
            "can_attach": viewer is not None and can_create_account(viewer),
        }
        for a in accounts
    }


def account_owners(account_id, viewer, **_):
    if not _reader(viewer):
        return None
    return signals.AttachmentOwners(
        KIND,
        "every reader",
        lambda: sa.select(CustomerAccount.id).where(CustomerAccount.id == account_id),
    )


def connect() -> None:
    signals.attachment_visible.connect(visible)
    signals.attachment_owner.connect(owner)
    signals.account_attachment_owners.connect(account_owners)
