"""API v1: files. Upload to a post, a page or an account; a file's metadata; an
account's document library. The download URLs obey the web's permissions."""

from flask import request
from flask_login import current_user

from portal.api.common import (
    OPERATIONS,
    PAGING_PARAMS,
    endpoint,
    paged_schema,
    paginate,
    ref,
)
from portal.api.schemas import SCHEMAS
from portal.errors import Invalid, NotFound
from portal.extensions import db
from portal.files import service
from portal.files.labels import KIND_LABELS
from portal.files.views import describe

SCHEMAS["File"] = {
    "type": "object",
    "required": ["id", "name", "type", "kind", "size", "url", "download_url"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "type": {"type": "string", "description": "decided from the content"},
        "kind": {"enum": list(KIND_LABELS)},
        "size": {"type": "integer"},
        "version": {"type": "integer"},
        "is_image": {"type": "boolean"},
        "width": {"type": ["integer", "null"]},
        "height": {"type": ["integer", "null"]},
        "url": {"type": "string"},
        "download_url": {"type": "string"},
        "thumbnail_url": {"type": ["string", "null"]},
        "markdown": {"type": "string"},
        "attached_to": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "text_status": {"enum": ["ok", "empty", "failed", "none"]},
    },
}


def _user():
    return current_user._get_current_object()


@endpoint(
    "/files",
    "POST",
    summary="Upload a file to a post, a wiki page or a customer account",
    tag="files",
    response=ref("File"),
    status=201,
    errors=(400, 401, 403, 404, 413, 415, 429),
)
def upload_file():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise Invalid(
            "Send the file as multipart field 'file'.", details={"field": "file"}
        )
    attach_to = request.form.get("attach_to", "")
    if attach_to == "draft":
        raise Invalid(
            "attach_to must be post:<id>, page:<slug> or account:<id>.",
            details={"field": "attach_to"},
        )
    attachment = service.upload(upload.read(), upload.filename, _user(), attach_to)
    db.session.commit()
    return describe(attachment), 201


OPERATIONS["/files"]["post"]["requestBody"] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file", "attach_to"],
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "attach_to": {
                        "type": "string",
                        "pattern": "^(post|page|account):.+$",
                        "examples": ["post:12", "page:acme-onboarding", "account:3"],
                    },
                },
            }
        }
    },
}


@endpoint(
    "/files/{file_id}",
    "GET",
    summary="A file's metadata",
    tag="files",
    response=ref("File"),
)
def get_file(file_id: int):
    return describe(service.get_visible(file_id, _user()))


@endpoint(
    "/accounts/{account_id}/files",
    "GET",
    summary="An account's document library: files about it you may see, newest first",
    tag="files",
    response=paged_schema("File"),
    params=[
        *PAGING_PARAMS,
        {"name": "kind", "in": "query", "schema": {"enum": list(KIND_LABELS)}},
    ],
)
def account_files(account_id: int):
    viewer = _user()
    known = service.owner_infos("account", [account_id], viewer)
    if account_id not in known or not service.is_owner_visible(
        "account", account_id, viewer
    ):
        raise NotFound("There is no such account.")
    kind = request.args.get("kind") or None
    if kind is not None and kind not in KIND_LABELS:
        raise Invalid(
            f"kind must be one of {', '.join(KIND_LABELS)}.", details={"field": "kind"}
        )
    return paginate(service.library_query(account_id, viewer, kind), describe)
