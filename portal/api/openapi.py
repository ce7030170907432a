"""The OpenAPI 3.1 description, assembled from the endpoint declarations."""

from flask import url_for

from portal.api.common import OPERATIONS, endpoint
from portal.api.schemas import SCHEMAS


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tacit API",
            "version": "1.0.0",
            "description": "Customer knowledge for CRM and ERP integration. "
            "Authenticate with a personal token: `Authorization: Bearer <token>`.",
        },
        "servers": [{"url": url_for("home", _external=True).rstrip("/")}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": {
            f"/api/v1{path}": methods for path, methods in sorted(OPERATIONS.items())
        },
    }


@endpoint(
    "/openapi.json",
    "GET",
    summary="This description",
    tag="meta",
    response={"type": "object"},
    errors=(),
    public=True,
)
def openapi():
    return document()
