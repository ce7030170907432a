"""Files attached to posts, pages and accounts: the text extracted from them.

A file is as visible as what it hangs on: the owning package says where that
is (its title, address, accounts, and the forum whose readers alone may see
it) over ``signals.attachment_owner``. Old versions, deleted files, drafts not
yet posted and files whose owner is gone are left out.
"""

from collections import defaultdict

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal import signals
from portal.extensions import db
from portal.files import service as files_service
from portal.files.models import Attachment

KIND = "file"
LABEL = _l("Files")
OWNER_KINDS = ("post", "page", "account")


def _indexable():
    return (
        Attachment.deleted_at.is_(None),
        Attachment.is_current.is_(True),
        Attachment.owner_kind.in_(OWNER_KINDS),
    )


def load(ids) -> dict:
    attachments = db.session.scalars(
        sa.select(Attachment).where(Attachment.id.in_(ids), *_indexable())
    ).all()
    by_kind = defaultdict(set)
    for a in attachments:
        by_kind[a.owner_kind].add(a.owner_id)
    owners = {
        kind: files_service.owner_infos(kind, owner_ids)
        for kind, owner_ids in by_kind.items()
    }
    docs = {}
    for a in attachments:
        info = owners[a.owner_kind].get(a.owner_id)
        if info is None or info.get("deleted"):
            continue
        forum_id = info.get("forum_id")
        docs[a.id] = {
            "title": a.filename,
            "body": a.blob.text or "",
            "url": a.url,
            "date": a.created_at,
            "scope": f"forum:{forum_id}" if forum_id else "all",
            "accounts": sorted(info.get("account_ids") or []),
            "tags": [],
            "authors": [a.uploaded_by_id] if a.uploaded_by_id else [],
            "flags": [],
            "rank": 1.0,
            "meta": {
                "attached_to": info.get("title", ""),
                "attached_url": info.get("url", ""),
                "content_type": a.blob.content_type,
            },
        }
    return docs


def all_ids():
    return db.session.scalars(
        sa.select(Attachment.id).where(*_indexable()).order_by(Attachment.id)
    )


def _uploaded(sender, **_):
    return [sender.id]


def _changed(sender, **_):
    return list(sender)


def _files_of_posts(post_ids):
    if not post_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Attachment.id).where(
                Attachment.owner_kind == "post", Attachment.owner_id.in_(post_ids)
            )
        )
    )


def _thread_files(sender, **_):
    from portal.forums.models import Post

    posts = db.session.scalars(sa.select(Post.id).where(Post.thread_id == sender.id))
    return _files_of_posts(list(posts))


def _post_files(sender, **_):
    return _files_of_posts([sender.id])


def _page_files(sender, **_):
    return list(
        db.session.scalars(
            sa.select(Attachment.id).where(
                Attachment.owner_kind == "page", Attachment.owner_id == sender.id
            )
        )
    )


DIRTY = [
    (signals.file_uploaded, _uploaded),
    (signals.files_changed, _changed),
    # Where a file hangs changed: its scope, title or visibility follows.
    (signals.thread_moved, _thread_files),
    (signals.thread_updated, _thread_files),
    (signals.post_deleted, _post_files),
    (signals.post_restored, _post_files),
    (signals.page_renamed, _page_files),
    (signals.page_deleted, _page_files),
    (signals.page_restored, _page_files),
]
