"""Upload, find, version, hide and clean up files.

The files package knows nothing of posts, pages or accounts: it asks the
package that owns what a file hangs on, over the signals at the end of
``portal.signals``, whether a reader may see it and what it is called.
"""

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from portal import clock, signals
from portal.errors import Forbidden, Invalid, NotFound
from portal.extensions import db
from portal.files import extract, images
from portal.files.models import KINDS, Attachment, Blob
from portal.files.sniff import IMAGE_EXTENSIONS, sniff

DEFAULT_MAX_BYTES = 25 * 2**20
DEFAULT_GRACE_HOURS = 24
# Kinds whose files may carry new versions (a post is a moment in a conversation;
# a page and an account's library are kept up to date).
VERSIONED_OWNERS = ("page", "account")
# Markdown written by the editor names files by these paths.
_FILE_REF_RE = re.compile(r"/files/(\d+)(?:/|\b)")


class TooLarge(Invalid):
    status = 413
    code = "too_large"


class UnsupportedType(Invalid):
    status = 415
    code = "unsupported_type"


def configure(app) -> None:
    """Settings of the files package, each overridable from the environment."""
    env = os.environ
    app.config.setdefault(
        "FILES_MAX_BYTES", int(env.get("FILES_MAX_BYTES", DEFAULT_MAX_BYTES))
    )
    kinds = env.get("FILES_ALLOWED_KINDS")
    app.config.setdefault(
        "FILES_ALLOWED_KINDS",
        tuple(k.strip() for k in kinds.split(",")) if kinds else KINDS,
    )
    app.config.setdefault("FILES_STORAGE_URL", env.get("FILES_STORAGE_URL", ""))
    app.config.setdefault(
        "FILES_GC_GRACE_HOURS",
        int(env.get("FILES_GC_GRACE_HOURS", DEFAULT_GRACE_HOURS)),
    )
    # The request limit must let a whole allowed file through, so that a file
    # just over our limit gets our message rather than a bare 413.
    app.config["MAX_CONTENT_LENGTH"] = max(
        app.config.get("MAX_CONTENT_LENGTH") or 0,
        app.config["FILES_MAX_BYTES"] + 2**20,
    )


def storage():
    return current_app.extensions["tacit_files_storage"]


# --- checking input -----------------------------------------------------------


def clean_filename(name: str | None) -> str:
    """Return the name to show and to offer on download.

    :raises Invalid: when it is empty, too long, or holds a path separator or a
        control character (a name is a name, never a path).
    """
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name:
        raise Invalid(_("The file has no name."), details={"field": "file"})
    if "/" in name or "\\" in name or name in (".", ".."):
        raise Invalid(
            _("A file name may not contain / or \\ : “%(name)s”.", name=name),
            details={"field": "file"},
        )
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        raise Invalid(
            _("The file name contains control characters."), details={"field": "file"}
        )
    if len(name) > 255:
        raise Invalid(
            _("The file name is longer than 255 characters."),
            details={"field": "file"},
        )
    return name


def _extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def _check_size(data: bytes, name: str) -> None:
    limit = current_app.config["FILES_MAX_BYTES"]
    if not data:
        raise Invalid(_("“%(name)s” is empty.", name=name), details={"field": "file"})
    if len(data) > limit:
        raise TooLarge(
            _(
                "“%(name)s” is %(size)s; files may be at most %(limit)s.",
                name=name,
                size=human_size(len(data)),
                limit=human_size(limit),
            ),
            details={"field": "file"},
        )


def human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


# --- owners -------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    kind: str
    id: int
    info: dict


def parse_attach_to(value: str | None) -> tuple[str, str]:
    """Split ``post:12``, ``page:<slug>``, ``account:3`` or ``draft``.

    :raises Invalid: when it names no kind of owner.
    """
    value = (value or "").strip()
    if value == "draft":
        return "draft", ""
    kind, sep, ref = value.partition(":")
    if not sep or kind not in ("post", "page", "account") or not ref:
        raise Invalid(
            _("Say what the file is for: post:<id>, page:<name> or account:<id>."),
            details={"field": "attach_to"},
        )
    return kind, ref


def owner_infos(kind: str, ids, viewer=None) -> dict[int, dict]:
    """Ask the owning package about owners by id: {id: info}."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    result: dict[int, dict] = {}
    for _receiver, answer in signals.attachment_owner.send(
        kind, ids=ids, viewer=viewer
    ):
        if answer:
            result.update(answer)
    return result


def resolve_target(attach_to: str, viewer) -> Target:
    """Find what an upload is for and check the uploader may add files to it.

    :raises Invalid: for a malformed ``attach_to``.
    :raises NotFound: when it does not exist or the viewer may not see it.
    :raises Forbidden: when the viewer sees it but may not add files.
    """
    kind, ref = parse_attach_to(attach_to)
    if kind == "draft":
        return Target("draft", viewer.id, {"can_attach": True})
    info = None
    for _receiver, answer in signals.attachment_owner.send(
        kind, ref=ref, viewer=viewer
    ):
        if answer:
            info = next(iter(answer.values()))
    if info is None or not is_owner_visible(kind, info["id"], viewer):
        raise NotFound(
            _("There is no %(kind)s “%(ref)s” to attach to.", kind=kind, ref=ref),
            details={"field": "attach_to"},
        )
    if info.get("deleted") or not info.get("can_attach"):
        raise Forbidden(_("You may not add files here."))
    return Target(kind, info["id"], info)


def is_owner_visible(kind: str, owner_id: int, viewer) -> bool:
    """Whether the viewer may see the owner: someone answered, all said yes."""
    answers = [
        answer
        for _receiver, answer in signals.attachment_visible.send(
            kind, owner_id=owner_id, viewer=viewer
        )
        if answer is not None
    ]
    return bool(answers) and all(answers)


def can_view(viewer, attachment: Attachment) -> bool:
    """A file is as visible as what it is attached to.

    A draft only to its uploader; a file deleted with its owner to whoever the
    owner still shows itself to (moderators); a file deleted alone to nobody.
    """
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    if attachment.owner_kind == "draft":
        return attachment.owner_id == viewer.id and attachment.deleted_at is None
    if not is_owner_visible(attachment.owner_kind, attachment.owner_id, viewer):
        return False
    if attachment.deleted_at is None:
        return True
    info = owner_infos(attachment.owner_kind, [attachment.owner_id], viewer)
    return bool(info.get(attachment.owner_id, {}).get("deleted"))


def can_add_version(viewer, attachment: Attachment) -> bool:
    if attachment.owner_kind not in VERSIONED_OWNERS or not attachment.is_current:
        return False
    if attachment.deleted_at is not None or not can_view(viewer, attachment):
        return False
    info = owner_infos(attachment.owner_kind, [attachment.owner_id], viewer)
    return bool(info.get(attachment.owner_id, {}).get("can_attach"))


def get_visible(attachment_id: int, viewer) -> Attachment:
    """:raises NotFound: when there is no such file or the viewer may not see it."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or not can_view(viewer, attachment):
        raise NotFound(_("There is no such file."))
    return attachment


# --- uploading ----------------------------------------------------------------


def _check_kind(kind: str, content_type: str, name: str) -> None:
    """:raises UnsupportedType: for a fake picture or a kind not accepted."""
    if _extension(name) in IMAGE_EXTENSIONS and kind != "image":
        raise UnsupportedType(
            _("“%(name)s” is not really a picture, so it was refused.", name=name),
            details={"field": "file"},
        )
    if kind not in current_app.config["FILES_ALLOWED_KINDS"]:
        raise UnsupportedType(
            _(
                "Files of this type (%(type)s) are not accepted here.",
                type=content_type,
            ),
            details={"field": "file"},
        )


def _existing(sha: str, name: str) -> Blob | None:
    blob = db.session.scalar(sa.select(Blob).where(Blob.sha256 == sha))
    if blob is not None:
        # Known content under a new name: the same rules as for new content.
        _check_kind(blob.kind, blob.content_type, name)
    return blob


def _store_blob(data: bytes, name: str) -> Blob:
    sha = hashlib.sha256(data).hexdigest()
    blob = _existing(sha, name)
    if blob is not None:
        return blob
    found = sniff(data)
    _check_kind(found.kind, found.content_type, name)
    width = height = None
    thumbnail = None
    content_type = found.content_type
    if found.kind == "image" and content_type != "image/svg+xml":
        try:
            picture = images.reencode(data)
        except images.NotAnImage:
            raise UnsupportedType(
                _(
                    "“%(name)s” is not a picture we can read, so it was refused.",
                    name=name,
                ),
                details={"field": "file"},
            ) from None
        data, content_type = picture.data, picture.content_type
        width, height, thumbnail = picture.width, picture.height, picture.thumbnail
        # Re-encoded content has its own address; the same picture uploaded
        # again re-encodes to the same bytes.
        sha = hashlib.sha256(data).hexdigest()
        blob = _existing(sha, name)
        if blob is not None:
            return blob
    result = extract.extract(data, content_type)
    # Content first, then the row: a stored object without a row is collected
    # by gc; a row without its content would be a broken file.
    store = storage()
    store.put(sha, data)
    if thumbnail is not None:
        store.put(f"thumb/{sha}", thumbnail)
    blob = Blob(
        sha256=sha,
        size=len(data),
        content_type=content_type,
        kind=found.kind,
        width=width,
        height=height,
        has_thumbnail=thumbnail is not None,
        text=result.text,
        text_status=result.status,
        text_error=result.error,
    )
    try:
        with db.session.begin_nested():
            db.session.add(blob)
    except IntegrityError:
        # Someone stored the same content a moment ago.
        blob = db.session.scalar(sa.select(Blob).where(Blob.sha256 == sha))
    return blob


def upload(
    data: bytes,
    filename: str | None,
    uploader,
    attach_to: str,
    *,
    replaces: Attachment | None = None,
) -> Attachment:
    """Store a file and attach it to a post, a page, an account or a draft.

    :raises Invalid: for a bad name or an empty file; ``TooLarge`` (413) over the
        size limit; ``UnsupportedType`` (415) for a type not accepted or a fake
        picture.
    :raises NotFound: when the target does not exist or is invisible.
    :raises Forbidden: when the uploader may not add files to it.
    """
    name = clean_filename(filename)
    _check_size(data, name)
    if replaces is not None:
        if not can_add_version(uploader, replaces):
            raise Forbidden(_("You may not add a version of this file."))
        target = Target(replaces.owner_kind, replaces.owner_id, {})
    else:
        target = resolve_target(attach_to, uploader)
    blob = _store_blob(data, name)
    attachment = Attachment(
        blob=blob,
        owner_kind=target.kind,
        owner_id=target.id,
        filename=name,
        kind=blob.kind,
        size=blob.size,
        uploaded_by_id=uploader.id,
        created_at=clock.now(),
    )
    if replaces is not None:
        attachment.series_id = replaces.series_id or replaces.id
        attachment.version = _latest_version(attachment.series_id) + 1
        replaces.is_current = False
    db.session.add(attachment)
    db.session.flush()
    if attachment.series_id is None:
        attachment.series_id = attachment.id
        db.session.flush()
    signals.file_uploaded.send(attachment, uploader=uploader)
    if replaces is not None:
        signals.files_changed.send([replaces.id], action="replaced", actor=uploader)
    return attachment


def _latest_version(series_id: int) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.max(Attachment.version)).where(
                Attachment.series_id == series_id
            )
        )
        or 0
    )


def versions(attachment: Attachment) -> list[Attachment]:
    """Every version of the file, newest first."""
    return list(
        db.session.scalars(
            sa.select(Attachment)
            .where(Attachment.series_id == (attachment.series_id or attachment.id))
            .order_by(Attachment.version.desc())
        )
    )


def read(attachment: Attachment, thumbnail: bool = False) -> bytes:
    key = attachment.blob.sha256
    return storage().get(f"thumb/{key}" if thumbnail else key)


# --- following the owners -----------------------------------------------------


def claim_drafts(kind: str, owner_id: int, author_id: int, body: str) -> list[int]:
    """Move the author's draft uploads named in ``body`` onto the saved owner."""
    ids = {int(m) for m in _FILE_REF_RE.findall(body or "")}
    if not ids:
        return []
    drafts = list(
        db.session.scalars(
            sa.select(Attachment).where(
                Attachment.id.in_(ids),
                Attachment.owner_kind == "draft",
                Attachment.owner_id == author_id,
                Attachment.deleted_at.is_(None),
            )
        )
    )
    for attachment in drafts:
        attachment.owner_kind, attachment.owner_id = kind, owner_id
    if drafts:
        db.session.flush()
        signals.files_changed.send([a.id for a in drafts], action="claimed", actor=None)
    return [a.id for a in drafts]


def set_owner_deleted(kind: str, owner_id: int, deleted: bool, actor=None) -> list[int]:
    """Hide (or bring back) the files of an owner deleted (or restored) with it."""
    condition = (
        Attachment.deleted_at.is_(None)
        if deleted
        else Attachment.deleted_at.is_not(None)
    )
    rows = list(
        db.session.scalars(
            sa.select(Attachment).where(
                Attachment.owner_kind == kind,
                Attachment.owner_id == owner_id,
                condition,
            )
        )
    )
    now = clock.now()
    for attachment in rows:
        attachment.deleted_at = now if deleted else None
    if rows:
        db.session.flush()
        signals.files_changed.send(
            [a.id for a in rows],
            action="deleted" if deleted else "restored",
            actor=actor,
        )
    return [a.id for a in rows]


def delete_file(attachment: Attachment, actor) -> None:
    """Remove one file (all its versions) from where it hangs.

    :raises Forbidden: when the actor may not add files there (and so not remove).
    """
    info = owner_infos(attachment.owner_kind, [attachment.owner_id], actor).get(
        attachment.owner_id, {}
    )
    own_draft = attachment.owner_kind == "draft" and attachment.owner_id == actor.id
    may_remove = info.get("can_attach") and (
        attachment.uploaded_by_id == actor.id
        or getattr(actor, "role", "") in ("moderator", "admin")
    )
    if not (own_draft or may_remove):
        raise Forbidden(_("Only the uploader and moderators may remove this file."))
    rows = versions(attachment)
    now = clock.now()
    for row in rows:
        row.deleted_at = now
    db.session.flush()
    signals.files_changed.send([r.id for r in rows], action="deleted", actor=actor)


# --- lists --------------------------------------------------------------------


def library_query(account_id: int, viewer, kind: str | None = None):
    """A SELECT of the current, live files about an account the viewer may see,
    newest first: whatever each owning package says is about the account."""
    clauses = []
    for _receiver, answer in signals.account_attachment_owners.send(
        account_id, viewer=viewer
    ):
        if answer is None:
            continue
        clauses.append(
            sa.and_(
                Attachment.owner_kind == answer.kind,
                Attachment.owner_id.in_(answer.ids()),
            )
        )
    stmt = sa.select(Attachment).where(
        sa.or_(*clauses) if clauses else sa.false(),
        Attachment.deleted_at.is_(None),
        Attachment.is_current.is_(True),
    )
    if kind:
        stmt = stmt.where(Attachment.kind == kind)
    return stmt.order_by(Attachment.created_at.desc(), Attachment.id.desc())


def library_scope(account_id: int, viewer) -> tuple:
    """What of ``viewer`` the account's library depends on: the same for
    everyone who sees the same files there (``library_query``)."""
    return tuple(
        sorted(
            (answer.kind, answer.scope)
            for _receiver, answer in signals.account_attachment_owners.send(
                account_id, viewer=viewer
            )
            if answer is not None
        )
    )


def with_owners(attachments, viewer) -> list[tuple[Attachment, dict]]:
    """Pair each file with what its owner says about itself (title, url)."""
    by_kind: dict[str, set[int]] = {}
    for a in attachments:
        by_kind.setdefault(a.owner_kind, set()).add(a.owner_id)
    infos = {
        kind: owner_infos(kind, ids, viewer)
        for kind, ids in by_kind.items()
        if kind != "draft"
    }
    return [(a, infos.get(a.owner_kind, {}).get(a.owner_id, {})) for a in attachments]


def files_of(kind: str, owner_id: int) -> list[Attachment]:
    return list(
        db.session.scalars(
            sa.select(Attachment)
            .where(
                Attachment.owner_kind == kind,
                Attachment.owner_id == owner_id,
                Attachment.deleted_at.is_(None),
                Attachment.is_current.is_(True),
            )
            .order_by(Attachment.created_at.desc())
        )
    )


# --- cleanup ------------------------------------------------------------------


@dataclass
class GcReport:
    drafts: int = 0
    blobs: int = 0
    orphans: int = 0


def gc(grace: timedelta, dry_run: bool = False) -> GcReport:
    """Remove what nothing needs any more, if older than ``grace``:
    unclaimed drafts, blobs no attachment names, stored objects without a blob.

    Soft-deleted files are kept: their post or page may be restored.
    """
    report = GcReport()
    cutoff = clock.now() - grace
    stale_drafts = sa.select(Attachment.id).where(
        Attachment.owner_kind == "draft", Attachment.created_at < cutoff
    )
    report.drafts = len(db.session.scalars(stale_drafts).all())
    if not dry_run and report.drafts:
        db.session.execute(
            sa.delete(Attachment).where(
                Attachment.id.in_(stale_drafts.scalar_subquery())
            )
        )
    referenced = sa.select(Attachment.blob_id).where(Attachment.blob_id == Blob.id)
    unreferenced = list(
        db.session.scalars(
            sa.select(Blob).where(~referenced.exists(), Blob.created_at < cutoff)
        )
    )
    report.blobs = len(unreferenced)
    if not dry_run:
        for blob in unreferenced:
            db.session.delete(blob)
        db.session.flush()
    return report


def sweep_storage(grace: timedelta, dry_run: bool = False) -> int:
    """Delete stored objects that no blob row names, if older than ``grace``.

    Run it after the database side of ``gc`` is committed, so that nothing a
    committed row needs is ever deleted.
    """
    cutoff = clock.now() - grace
    store = storage()
    known = set(db.session.scalars(sa.select(Blob.sha256)))
    removed = 0
    for key, modified in list(store.listing()):
        if key.removeprefix("thumb/") in known or modified >= cutoff:
            continue
        removed += 1
        if not dry_run:
            store.delete(key)
    return removed
