"""What files do when their owners change: drafts claimed when a post or page is
saved; files hidden and restored with their post or page.

Only the signals' senders are used (their ``id`` and text), so this package
imports nothing of the forums or the wiki.
"""

from portal import signals, versions
from portal.files import panels, service
from portal.files.models import Attachment


def on_post_saved(post, author=None, editor=None, **_):
    user = author or editor
    if user is not None:
        service.claim_drafts("post", post.id, user.id, post.body)


def on_page_saved(page, author=None, revision=None, **_):
    if author is not None and revision is not None:
        service.claim_drafts("page", page.id, author.id, revision.body)


def on_post_deleted(post, actor=None, **_):
    service.set_owner_deleted("post", post.id, True, actor)


def on_post_restored(post, actor=None, **_):
    service.set_owner_deleted("post", post.id, False, actor)


def on_page_deleted(page, actor=None, **_):
    service.set_owner_deleted("page", page.id, True, actor)


def on_page_restored(page, actor=None, **_):
    service.set_owner_deleted("page", page.id, False, actor)


def _attachments_touch(session, attachments) -> set[str]:
    """The accounts whose library shows these files: their owners say which."""
    by_kind: dict[str, set[int]] = {}
    for a in attachments:
        if a.owner_kind != "draft":
            by_kind.setdefault(a.owner_kind, set()).add(a.owner_id)
    return {
        versions.account(account_id)
        for kind, ids in by_kind.items()
        for info in service.owner_infos(kind, ids).values()
        for account_id in info.get("account_ids", ())
    }


def connect() -> None:
    versions.on_flush(Attachment, _attachments_touch)
    signals.post_created.connect(on_post_saved)
    signals.post_edited.connect(on_post_saved)
    signals.page_created.connect(on_page_saved)
    signals.page_revised.connect(on_page_saved)
    signals.post_deleted.connect(on_post_deleted)
    signals.post_restored.connect(on_post_restored)
    signals.page_deleted.connect(on_page_deleted)
    signals.page_restored.connect(on_page_restored)
    panels.connect()
