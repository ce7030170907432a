"""API v1: search, with the same permissions as the search page."""

from flask import request
from flask_login import current_user

from portal import search
from portal.api.common import endpoint, int_arg, iso
from portal.api.schemas import SCHEMAS
from portal.errors import Invalid, json_error
from portal.search.kinds import by_name

SCHEMAS.update(
    {
        "SearchResults": {
            "type": "object",
            "required": ["items", "page", "per_page", "total", "more"],
            "properties": {
                "items": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["kind", "id", "title", "url", "snippet"],
                        "properties": {
                            "kind": {"type": "string"},
                            "id": {"type": "integer"},
                            "title": {"type": "string"},
                            "url": {"type": "string"},
                            "snippet": {"type": "string"},
                            "date": {"type": ["string", "null"], "format": "date-time"},
                            "resolved": {"type": "boolean"},
                            "archived": {"type": "boolean"},
                        },
                    },
                },
                "page": {"type": "integer"},
                "per_page": {"type": "integer"},
                "total": {"type": "integer"},
                "more": {"type": "boolean"},
                "suggestion": {"type": ["string", "null"]},
            },
        }
    }
)


@endpoint(
    "/search",
    "GET",
    summary="Search threads, pages, people, accounts and files you may see",
    tag="search",
    params=[
        {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 500}},
        {"name": "kind", "in": "query", "schema": {"type": "string"}},
        {"name": "account", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "tag", "in": "query", "schema": {"type": "string", "maxLength": 120}},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {
            "name": "per_page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
        },
    ],
    response={"$ref": "#/components/schemas/SearchResults"},
    errors=(400, 401, 429, 503),
)
def search_api():
    kind = request.args.get("kind") or None
    if kind is not None and kind not in by_name():
        raise Invalid(
            f"kind is one of {', '.join(sorted(by_name()))}.", details={"field": "kind"}
        )
    q = (request.args.get("q") or "")[:500]
    account = int_arg("account")
    tag = request.args.get("tag") or None
    if not q.strip() and account is None and tag is None and kind is None:
        raise Invalid("Send q, or a filter.", details={"field": "q"})
    results = search.query(
        q,
        current_user._get_current_object(),
        kinds=[kind] if kind else None,
        account_id=account,
        tag=tag,
        page=int_arg("page", 1, maximum=1000),
        per_page=int_arg("per_page", 20, maximum=100),
    )
    if results.error:
        return json_error(
            503,
            "search_unavailable",
            "The search index needs rebuilding: flask --app portal search rebuild.",
        )
    return {
        "items": [
            {
                "kind": hit.kind,
                "id": hit.id,
                "title": hit.title,
                "url": hit.url,
                "snippet": hit.snippet.striptags(),
                "date": iso(hit.date),
                "resolved": hit.resolved,
                "archived": hit.archived,
            }
            for hit in results.hits
        ],
        "page": results.page,
        "per_page": results.per_page,
        "total": results.total,
        "more": results.more,
        "suggestion": results.suggestion,
    }
