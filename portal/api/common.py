"""What every API endpoint shares: the blueprint, JSON in and out, paging, and
the OpenAPI description built from the same declarations as the routes.

An endpoint is declared once with ``@endpoint(...)``: that registers the Flask
route and records its path, parameters, request and response schemas for
``/api/v1/openapi.json``, so the description cannot drift from the routes.
"""

from collections.abc import Callable

import sqlalchemy as sa
from flask import Blueprint, request

from portal.errors import Invalid
from portal.extensions import db

V1 = "/api/v1"
bp = Blueprint("api", __name__)

# path -> method -> operation (OpenAPI); filled by @endpoint.
OPERATIONS: dict[str, dict[str, dict]] = {}
MAX_PER_PAGE = 100
MAX_INT = 2**31 - 1


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def paged_schema(item: str) -> dict:
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "properties": {
            "items": {"type": "array", "items": ref(item)},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": {"type": "integer", "minimum": 0},
        },
    }


PAGING_PARAMS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
    },
]


def endpoint(
    path: str,
    method: str,
    *,
    summary: str,
    tag: str,
    response: dict | None,
    status: int = 200,
    also: tuple[int, ...] = (),
    body: dict | None = None,
    params: list[dict] | None = None,
    errors: tuple[int, ...] = (400, 401, 403, 404, 429),
    public: bool = False,
) -> Callable:
    """Register an API route and describe it in the OpenAPI document.

    ``status`` is the usual success status; ``also`` lists other success
    statuses with the same body.
    """

    def decorate(fn):
        flask_path = V1 + path
        for name in _path_names(path):
            converter = "int:" if fn.__annotations__.get(name) is int else ""
            flask_path = flask_path.replace(f"{{{name}}}", f"<{converter}{name}>")
        path_params = [
            {"name": p, "in": "path", "required": True, "schema": _path_schema(fn, p)}
            for p in _path_names(path)
        ]
        responses = {}
        ok: dict = {"description": summary}
        if response is not None:
            ok["content"] = {"application/json": {"schema": response}}
        responses[str(status)] = ok
        for other in also:  # e.g. 201 when an upsert creates
            responses[str(other)] = dict(ok)
        # Every endpoint that needs a token can answer 401; a public one only
        # when it says so (a token request with a wrong password).
        for code in sorted(set(errors) | (set() if public else {401})):
            responses[str(code)] = {
                "description": _ERROR_TEXT[code],
                "content": {"application/json": {"schema": ref("Error")}},
            }
        if 429 in responses or "429" in responses:
            responses["429"]["headers"] = {
                "Retry-After": {"schema": {"type": "integer"}}
            }
        operation = {
            "operationId": fn.__name__,
            "summary": summary,
            "tags": [tag],
            "parameters": path_params + (params or []),
            "responses": responses,
        }
        if public:
            operation["security"] = []
        if body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": body}},
            }
        OPERATIONS.setdefault(path, {})[method.lower()] = operation
        bp.add_url_rule(flask_path, fn.__name__, fn, methods=[method.upper()])
        if public:
            PUBLIC.add(f"api.{fn.__name__}")
        return fn

    return decorate


PUBLIC: set[str] = set()

_ERROR_TEXT = {
    400: "Invalid input",
    401: "No token, or a revoked or unknown one",
    403: "Not allowed",
    404: "Missing, or not visible to you",
    409: "Conflict with the current state",
    413: "Too large",
    415: "A type not accepted",
    422: "Understood but cannot be done",
    429: "Rate limited",
    503: "Temporarily unavailable",
}


def _path_names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _path_schema(fn, name: str) -> dict:
    kind = fn.__annotations__.get(name)
    if kind is int:
        return {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    return {"type": "string", "minLength": 1, "maxLength": 200}


def json_body(*, allowed: set[str], required: set[str] = frozenset()) -> dict:
    """Return the request's JSON object, checked for unknown and missing keys.

    :raises Invalid: when the body is not a JSON object, has a key outside
        ``allowed`` or lacks one of ``required``.
    """
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Invalid("The body must be a JSON object.")
    unknown = set(data) - allowed
    if unknown:
        raise Invalid(
            f"Unknown fields: {', '.join(sorted(unknown))}.",
            details={"fields": sorted(unknown)},
        )
    missing = [k for k in sorted(required) if data.get(k) in (None, "")]
    if missing:
        raise Invalid(
            f"Missing fields: {', '.join(missing)}.", details={"fields": missing}
        )
    for key, value in data.items():
        if value is not None and not isinstance(value, str | int | bool | list):
            raise Invalid(f"{key} has the wrong type.", details={"field": key})
        # An id beyond the database's integer range is simply not found, but
        # PostgreSQL refuses to even compare it: stop it here.
        numbers = value if isinstance(value, list) else [value]
        if any(isinstance(n, int) and not -MAX_INT <= n <= MAX_INT for n in numbers):
            raise Invalid(f"{key} is out of range.", details={"field": key})
    return data


def string_field(data: dict, key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise Invalid(f"{key} must be a string.", details={"field": key})
    return value


def int_arg(
    name: str, default: int | None = None, *, minimum: int = 1, maximum: int = 2**31 - 1
) -> int | None:
    """Read an integer query argument.

    :raises Invalid: when it is not a whole number within the bounds.
    """
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Invalid(
            f"{name} must be a whole number.", details={"field": name}
        ) from None
    if not minimum <= value <= maximum:
        raise Invalid(
            f"{name} must be between {minimum} and {maximum}.", details={"field": name}
        )
    return value


def paginate(stmt, serialize: Callable) -> dict:
    """Run ``stmt`` one page at a time: ``{"items", "page", "per_page", "total"}``."""
    page = int_arg("page", 1)
    per_page = int_arg("per_page", 30, maximum=MAX_PER_PAGE)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page))
    return {
        "items": [serialize(row) for row in rows],
        "page": page,
        "per_page": per_page,
        "total": total,
    }


def iso(value) -> str | None:
    return value.isoformat() if value is not None else None
