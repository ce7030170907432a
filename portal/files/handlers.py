"""What files do when their owners change: drafts claimed when a post or page is
saved; files hidden and restored with their post or page.

Only the signals' senders are used (their ``id`` and text), so this package
imports nothing of the forums or the wiki.
"""

from portal import signals
from portal.files import panels, service


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


def connect() -> None:
    signals.post_created.connect(on_post_saved)
    signals.post_edited.connect(on_post_saved)
    signals.page_created.connect(on_page_saved)
    signals.page_revised.connect(on_page_saved)
    signals.post_deleted.connect(on_post_deleted)
    signals.post_restored.connect(on_post_restored)
    signals.page_deleted.connect(on_page_deleted)
    signals.page_restored.connect(on_page_restored)
    panels.connect()
