"""The wiki's answers to the files package: a page's files are as visible as the
page, and pages about an account bring their files to its library."""

import sqlalchemy as sa

from portal import signals
from portal.extensions import db
from portal.wiki import permissions
from portal.wiki.models import Page, page_accounts

KIND = "page"


def visible(kind, owner_id, viewer, **_):
    if kind != KIND:
        return None
    page = db.session.get(Page, owner_id)
    return page is not None and permissions.can_view_page(viewer, page)


def owner(kind, ids=None, ref=None, viewer=None, **_):
    if kind != KIND:
        return None
    if ref is not None:
        stmt = sa.select(Page).where(Page.slug == ref)
    elif ids:
        stmt = sa.select(Page).where(Page.id.in_(ids))
    else:
        return {}
    result = {}
    for page in db.session.scalars(stmt):
        account_ids = [a.id for a in page.accounts]
        if page.account_id is not None and page.account_id not in account_ids:
            account_ids.append(page.account_id)
        result[page.id] = {
            "id": page.id,
            "title": page.title,
            "url": page.url,
            "account_ids": account_ids,
            "deleted": page.deleted,
            "forum_id": None,
            "can_attach": viewer is not None
            and permissions.can_edit_page(viewer, page),
        }
    return result


def account_owners(account_id, viewer, **_):
    """Live pages linked to the account, and its profile page."""

    def ids():
        linked = sa.select(page_accounts.c.page_id).where(
            page_accounts.c.account_id == account_id
        )
        return sa.select(Page.id).where(
            sa.or_(Page.id.in_(linked), Page.account_id == account_id),
            Page.deleted_at.is_(None),
        )

    return signals.AttachmentOwners(KIND, "every reader", ids)


def connect() -> None:
    signals.attachment_visible.connect(visible)
    signals.attachment_owner.connect(owner)
    signals.account_attachment_owners.connect(account_owners)
