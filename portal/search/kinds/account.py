"""Customer accounts: name, CRM reference, industry, region, description and
the account's five-layer profile page."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from portal import signals
from portal.accounts.models import CustomerAccount
from portal.extensions import db
from portal.wiki.models import Page

KIND = "account"
LABEL = _l("Accounts")


def load(ids) -> dict:
    from portal.search.kinds import plain_text

    accounts = db.session.scalars(
        sa.select(CustomerAccount).where(CustomerAccount.id.in_(ids))
    ).all()
    profiles = {
        p.account_id: p
        for p in db.session.scalars(
            sa.select(Page)
            .where(Page.account_id.in_(ids), Page.deleted_at.is_(None))
            .options(selectinload(Page.current_revision))
        )
    }
    docs = {}
    for a in accounts:
        profile = profiles.get(a.id)
        profile_text = (
            plain_text(profile.current_revision.body_html)
            if profile is not None and profile.current_revision is not None
            else ""
        )
        docs[a.id] = {
            "title": a.name,
            "body": "\n".join(
                filter(
                    None, [a.crm_ref, a.industry, a.region, a.description, profile_text]
                )
            ),
            "spell": " ".join(filter(None, [a.name, a.industry, a.region])),
            "url": a.url,
            "date": a.updated_at,
            "scope": "all",
            "accounts": [a.id],
            "meta": {
                "crm_ref": a.crm_ref,
                "industry": a.industry,
                "region": a.region,
                "tier": a.tier,
                "status": a.status,
            },
        }
    return docs


def all_ids():
    return db.session.scalars(
        sa.select(CustomerAccount.id).order_by(CustomerAccount.id)
    )


def _account(sender, **_):
    return [sender.id]


def _profile(sender, **_):
    account_id = getattr(sender, "account_id", None)
    return [account_id] if account_id is not None else None


DIRTY = [
    (signals.account_created, _account),
    (signals.account_updated, _account),
    # The profile page is part of the account's document.
    (signals.page_created, _profile),
    (signals.page_revised, _profile),
    (signals.page_deleted, _profile),
    (signals.page_restored, _profile),
]
