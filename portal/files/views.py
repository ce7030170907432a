"""Upload, download, thumbnails, a file's page with its versions, and an
account's document library."""

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from portal.errors import DomainError, Invalid, NotFound, flash_error, wants_json
from portal.extensions import db
from portal.files import service
from portal.files.labels import KIND_LABELS
from portal.files.models import Attachment

bp = Blueprint("files", __name__)

# File responses: never sniffed, never scripted, never framed.
FILE_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


def _user():
    return current_user._get_current_object()


def markdown_for(attachment: Attachment) -> str:
    """What the editor inserts: a thumbnail linking to the full picture, or a link."""
    label = "".join("\\" + c if c in "[]\\*_`" else c for c in attachment.filename)
    if attachment.is_image and attachment.thumbnail_url:
        return f"[![{label}]({attachment.thumbnail_url})]({attachment.download_url})"
    return f"[{label}]({attachment.download_url})"


def describe(attachment: Attachment) -> dict:
    """A file as JSON, for the editor and the API."""
    return {
        "id": attachment.id,
        "name": attachment.filename,
        "type": attachment.content_type,
        "kind": attachment.kind,
        "size": attachment.size,
        "version": attachment.version,
        "is_image": attachment.is_image,
        "width": attachment.blob.width,
        "height": attachment.blob.height,
        "url": attachment.url,
        "download_url": attachment.download_url,
        "thumbnail_url": attachment.thumbnail_url,
        "markdown": markdown_for(attachment),
        "attached_to": f"{attachment.owner_kind}:{attachment.owner_id}",
        "created_at": attachment.created_at.isoformat(),
        "text_status": attachment.blob.text_status,
    }


@bp.route("/files/upload", methods=["POST"])
def upload():
    """One or more files from the editor (JSON) or a library form (redirect)."""
    uploads = [f for f in request.files.getlist("file") if f]
    attach_to = request.form.get("attach_to", "")
    back = request.form.get("next") or ""
    try:
        if not uploads:
            raise Invalid(_("Choose a file to upload."), details={"field": "file"})
        attachments = [
            service.upload(f.read(), f.filename, _user(), attach_to) for f in uploads
        ]
    except DomainError as e:
        db.session.rollback()
        if wants_json():
            raise
        flash_error(e)
        return _back(back), e.status
    db.session.commit()
    if wants_json():
        return jsonify({"files": [describe(a) for a in attachments]}), 201
    flash(
        _("Uploaded: %(names)s", names=", ".join(a.filename for a in attachments)),
        "success",
    )
    return redirect(_safe_next(back) or attachments[0].url)


def _safe_next(url: str) -> str | None:
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return None


def _back(url: str):
    """Show the page the form was on again, with the message (no redirect, so
    the status says the upload failed)."""
    target = _safe_next(url)
    if target and target.startswith("/accounts/") and target.endswith("/files"):
        account_id = target.split("/")[2]
        if account_id.isdigit():
            return account_library(int(account_id))
    return render_template("files/failed.html", back=target)


def _file_response(attachment: Attachment, thumbnail: bool = False):
    try:
        data = service.read(attachment, thumbnail=thumbnail)
    except KeyError:
        abort(404)
    blob = attachment.blob
    inline = blob.is_raster
    if thumbnail:
        mimetype = "image/jpeg" if blob.content_type == "image/jpeg" else "image/png"
    elif blob.content_type.startswith("text/"):
        mimetype = blob.content_type + "; charset=utf-8"
    else:
        mimetype = blob.content_type
    response = send_file(
        io.BytesIO(data),
        mimetype=mimetype,
        as_attachment=not inline,
        download_name=attachment.filename,
        etag=blob.sha256 + ("-t" if thumbnail else ""),
        conditional=True,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    # Whoever may see it may change: shared caches keep nothing.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/files/<int:file_id>/download")
def download(file_id: int):
    return _file_response(service.get_visible(file_id, _user()))


@bp.route("/files/<int:file_id>/thumbnail")
def thumbnail(file_id: int):
    attachment = service.get_visible(file_id, _user())
    if not attachment.blob.has_thumbnail:
        abort(404)
    return _file_response(attachment, thumbnail=True)


@bp.route("/files/<int:file_id>")
def view_file(file_id: int):
    attachment = service.get_visible(file_id, _user())
    viewer = _user()
    info = {}
    if attachment.owner_kind != "draft":
        info = service.owner_infos(attachment.owner_kind, [attachment.owner_id], viewer)
        info = info.get(attachment.owner_id, {})
    versions = [v for v in service.versions(attachment) if service.can_view(viewer, v)]
    return render_template(
        "files/file.html",
        file=attachment,
        owner=info,
        versions=versions,
        can_add_version=service.can_add_version(viewer, attachment),
        can_delete=attachment.deleted_at is None
        and (
            attachment.owner_kind == "draft"
            or (
                info.get("can_attach")
                and (
                    attachment.uploaded_by_id == viewer.id
                    or viewer.role in ("moderator", "admin")
                )
            )
        ),
    )


@bp.route("/files/<int:file_id>/versions", methods=["POST"])
def add_version(file_id: int):
    attachment = service.get_visible(file_id, _user())
    upload = request.files.get("file")
    try:
        if not upload:
            raise Invalid(_("Choose a file to upload."), details={"field": "file"})
        new = service.upload(
            upload.read(), upload.filename, _user(), "", replaces=attachment
        )
    except DomainError as e:
        db.session.rollback()
        if wants_json():
            raise
        flash_error(e)
        return view_file(file_id), e.status
    db.session.commit()
    if wants_json():
        return jsonify(describe(new)), 201
    flash(_("Version %(n)d uploaded.", n=new.version), "success")
    return redirect(new.url)


@bp.route("/files/<int:file_id>/delete", methods=["POST"])
def delete_file(file_id: int):
    attachment = service.get_visible(file_id, _user())
    info = service.owner_infos(attachment.owner_kind, [attachment.owner_id], _user())
    service.delete_file(attachment, _user())
    db.session.commit()
    flash(_("“%(name)s” was removed.", name=attachment.filename), "success")
    return redirect(info.get(attachment.owner_id, {}).get("url") or url_for("home"))


@bp.route("/accounts/<int:account_id>/files")
def account_library(account_id: int):
    viewer = _user()
    account = service.owner_infos("account", [account_id], viewer).get(account_id)
    if account is None or not service.is_owner_visible("account", account_id, viewer):
        raise NotFound(_("There is no such account."))
    kind = request.args.get("kind") or None
    if kind not in KIND_LABELS:
        kind = None
    page = db.paginate(
        service.library_query(account_id, viewer, kind),
        per_page=current_app.config.get("PER_PAGE", 30),
        error_out=False,
    )
    return render_template(
        "files/library.html",
        account=account,
        account_id=account_id,
        page=page,
        rows=service.with_owners(page.items, viewer),
        kind=kind,
        kinds=KIND_LABELS,
    )
