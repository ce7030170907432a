"""API v1: wiki pages, their revisions, and saving with conflict detection.

``PUT /wiki/{slug}`` creates a page (no ``base_revision``) or saves a new
revision made from ``base_revision``. When someone saved the page after that
base, nothing is written and the answer is 409 with both versions (and the
merged text when the changes do not overlap), as the web editor shows them.
"""

from flask_login import current_user

from portal.api.common import (
    PAGING_PARAMS,
    endpoint,
    iso,
    json_body,
    paged_schema,
    paginate,
    ref,
    string_field,
)
from portal.api.schemas import SCHEMAS
from portal.errors import Invalid, NotFound, json_error
from portal.extensions import db
from portal.wiki import permissions
from portal.wiki import service as wiki
from portal.wiki.models import Page, Revision

_TEXT = {"type": "string"}
_TIME = {"type": ["string", "null"], "format": "date-time"}

SCHEMAS.update(
    {
        "Page": {
            "type": "object",
            "required": ["id", "title", "slug", "state", "revision", "body", "url"],
            "properties": {
                "id": {"type": "integer"},
                "title": _TEXT,
                "slug": _TEXT,
                "state": _TEXT,
                "deleted": {"type": "boolean"},
                "revision": {"type": "integer"},
                "body": _TEXT,
                "body_html": _TEXT,
                "tags": {"type": "array", "items": _TEXT},
                "accounts": {"type": "array", "items": {"type": "integer"}},
                "account": {"type": ["integer", "null"]},
                "updated_at": _TIME,
                "updated_by": {"type": ["string", "null"]},
                "url": _TEXT,
            },
        },
        "PageInput": {
            "type": "object",
            "additionalProperties": False,
            "required": ["body"],
            "properties": {
                "title": {"type": "string", "minLength": 1, "maxLength": 200},
                "body": {"type": "string", "minLength": 1},
                "summary": {"type": "string", "maxLength": 300},
                "base_revision": {"type": "integer", "minimum": 1},
                "tags": {"type": "array", "items": _TEXT},
                "accounts": {"type": "array", "items": {"type": "integer"}},
            },
        },
        "Revision": {
            "type": "object",
            "required": ["number", "title", "author", "created_at", "url"],
            "properties": {
                "number": {"type": "integer"},
                "title": _TEXT,
                "summary": _TEXT,
                "author": {"type": ["string", "null"]},
                "created_at": _TIME,
                "size": {"type": "integer"},
                "change_size": {"type": "integer"},
                "url": _TEXT,
            },
        },
    }
)


def page_json(page: Page) -> dict:
    current = page.current_revision
    return {
        "id": page.id,
        "title": page.title,
        "slug": page.slug,
        "state": page.state,
        "deleted": page.deleted_at is not None,
        "revision": current.number,
        "body": current.body,
        "body_html": str(current.body_html),
        "tags": [tag.name for tag in page.tags],
        "accounts": [account.id for account in page.accounts],
        "account": page.account_id,
        "updated_at": iso(current.created_at),
        "updated_by": current.author.username if current.author else None,
        "url": page.url,
    }


def revision_json(revision: Revision) -> dict:
    return {
        "number": revision.number,
        "title": revision.title,
        "summary": revision.summary,
        "author": revision.author.username if revision.author else None,
        "created_at": iso(revision.created_at),
        "size": revision.size,
        "change_size": revision.change_size,
        "url": revision.url,
    }


def _normal(slug: str) -> str:
    """The slug a page titled ``slug`` would have ("Renewals" → "renewals")."""
    try:
        return wiki.clean_title(slug)[1]
    except Invalid:
        return slug


def _page(slug: str) -> Page:
    """The page at ``slug``, following a rename as the web pages do."""
    slug = _normal(slug)
    try:
        return wiki.get_page(slug, current_user)
    except NotFound:
        moved = wiki.redirect_target(slug)
        if moved is None or not permissions.can_view_page(current_user, moved):
            raise
        return wiki.get_page(moved.slug, current_user)


@endpoint(
    "/wiki/{slug}",
    "GET",
    summary="A wiki page's current text (a former slug leads to the renamed page)",
    tag="wiki",
    response=ref("Page"),
)
def get_page(slug: str):
    return page_json(_page(slug))


@endpoint(
    "/wiki/{slug}/revisions",
    "GET",
    summary="A page's revisions, newest first",
    tag="wiki",
    params=PAGING_PARAMS,
    response=paged_schema("Revision"),
)
def list_revisions(slug: str):
    return paginate(wiki.history(_page(slug)), revision_json)


def _list_of(data: dict, key: str, kind: type) -> list | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(
        isinstance(v, kind) and not isinstance(v, bool) for v in value
    ):
        raise Invalid(f"{key} must be a list.", details={"field": key})
    return value


@endpoint(
    "/wiki/{slug}",
    "PUT",
    summary="Create a page (send no base_revision) or save a new revision of it",
    tag="wiki",
    body=ref("PageInput"),
    response=ref("Page"),
    also=(201,),
    errors=(400, 401, 403, 404, 409, 429),
)
def put_page(slug: str):
    data_slug = slug
    data = json_body(
        allowed={"title", "body", "summary", "base_revision", "tags", "accounts"},
        required={"body"},
    )
    title = string_field(data, "title")
    body = string_field(data, "body")
    summary = string_field(data, "summary") or ""
    base = data.get("base_revision")
    if base is not None and (isinstance(base, bool) or not isinstance(base, int)):
        raise Invalid(
            "base_revision is a revision number.", details={"field": "base_revision"}
        )
    tags = _list_of(data, "tags", str)
    accounts = _list_of(data, "accounts", int)
    slug = _normal(slug)
    page = wiki.find_page(slug)
    if page is None or not permissions.can_view_page(current_user, page):
        if base is not None:
            raise NotFound(
                f"There is no wiki page {slug}; to create it, send no base_revision."
            )
        return _create(slug, title or data_slug, body, summary, tags, accounts)
    if base is None:
        return json_error(
            409,
            "page_exists",
            "This page exists: send the base_revision your text starts from.",
            {"current_revision": page.current_revision.number, "url": page.url},
        )
    try:
        if title and title != page.title:
            wiki.rename_page(page, title, current_user)
        wiki.edit_page(
            page,
            body,
            current_user,
            base_revision=base,
            summary=summary,
            tags=tags,
            accounts=accounts,
        )
    except wiki.EditConflict as e:
        db.session.rollback()
        return _conflict(e)
    db.session.commit()
    return page_json(wiki.get_page(page.slug, current_user))


def _create(slug, title, body, summary, tags, accounts):
    _title, new_slug = wiki.clean_title(title)
    if new_slug != slug:
        raise Invalid(
            f"The title “{title}” makes the address {new_slug}, not {slug}.",
            details={"field": "title"},
        )
    page = wiki.create_page(
        title, body, current_user, summary=summary, tags=tags, accounts=accounts
    )
    db.session.commit()
    return page_json(page), 201


def _conflict(error):
    view = wiki.conflict_view(error.page_id, error.base, error.mine)
    details = {
        "current_revision": view.current.number,
        "current_body": view.current.body,
        "current_author": view.current.author.username if view.current.author else None,
        "base_revision": error.base,
        "your_body": error.mine,
        "merged_body": view.merge.text if view.clean else None,
    }
    code = "edit_conflict" if error.status == 409 else "invalid_base_revision"
    return json_error(error.status, code, error.message, details)
