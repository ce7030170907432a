"""API v1: a person's points and HR's contribution reports.

A ledger is visible to its owner, HR and admins; reports to HR and admins only,
exactly as on the web pages.
"""

from flask import request
from flask_login import current_user

from portal.api.common import PAGING_PARAMS, endpoint, iso, paginate
from portal.api.schemas import SCHEMAS
from portal.auth import service as auth_service
from portal.errors import Forbidden
from portal.incentives import permissions, reports
from portal.incentives import service as incentives
from portal.incentives.models import SECI

_SECI = {
    "type": "object",
    "properties": {mode: {"type": "integer"} for mode in SECI},
}

SCHEMAS.update(
    {
        "PointEntry": {
            "type": "object",
            "required": ["id", "points", "rule", "created_at"],
            "properties": {
                "id": {"type": "integer"},
                "points": {"type": "integer"},
                "rule": {"type": "string"},
                "seci": {"type": "string"},
                "source_type": {"type": "string"},
                "source_id": {"type": "integer"},
                "reversal": {"type": "boolean"},
                "created_at": {"type": ["string", "null"], "format": "date-time"},
            },
        },
        "Points": {
            "type": "object",
            "required": ["username", "balance", "by_seci", "items", "total"],
            "properties": {
                "username": {"type": "string"},
                "balance": {"type": "integer"},
                "by_seci": _SECI,
                "items": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/PointEntry"},
                },
                "page": {"type": "integer"},
                "per_page": {"type": "integer"},
                "total": {"type": "integer"},
            },
        },
        "Contribution": {
            "type": "object",
            "required": ["username", "points", "total"],
            "properties": {
                "username": {"type": "string"},
                "display_name": {"type": "string"},
                "department": {"type": ["string", "null"]},
                "points": _SECI,
                "total": {"type": "integer"},
                "counts": {
                    "type": "object",
                    "additionalProperties": {"type": "integer"},
                },
                "pages": {"type": "integer"},
                "acceptance_rate": {"type": ["number", "null"]},
                "reuse": {"type": "integer"},
            },
        },
        "ContributionReport": {
            "type": "object",
            "required": ["from", "to", "items"],
            "properties": {
                "from": {"type": "string", "format": "date"},
                "to": {"type": "string", "format": "date"},
                "department": {"type": ["string", "null"]},
                "items": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/Contribution"},
                },
            },
        },
    }
)


def entry_json(entry) -> dict:
    return {
        "id": entry.id,
        "points": entry.points,
        "rule": entry.rule,
        "seci": entry.seci,
        "source_type": entry.source_type,
        "source_id": entry.source_id,
        "reversal": entry.reversal,
        "created_at": iso(entry.created_at),
    }


@endpoint(
    "/users/{username}/points",
    "GET",
    summary="A person's balance and ledger rows, newest first (self, HR, admins)",
    tag="people",
    params=PAGING_PARAMS,
    response={"$ref": "#/components/schemas/Points"},
)
def get_points(username: str):
    user = auth_service.get_user(username)
    if not permissions.can_view_points(current_user, user):
        # Someone else's points are private; saying so does not reveal them.
        raise Forbidden("A person's points are theirs, and HR's.")
    page = paginate(incentives.ledger_of(user), entry_json)
    by_seci = incentives.points_by_seci(user)
    return {
        "username": user.username,
        "balance": incentives.balance(user.id),
        "by_seci": {mode: by_seci.get(mode, 0) for mode in SECI},
        **page,
    }


@endpoint(
    "/reports/contributions",
    "GET",
    summary="Contributions per employee in a period (HR and admins)",
    tag="reports",
    params=[
        {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
        {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}},
        {"name": "department", "in": "query", "schema": {"type": "string"}},
    ],
    response={"$ref": "#/components/schemas/ContributionReport"},
)
def contributions_report():
    if not permissions.can_view_reports(current_user):
        raise Forbidden("Contribution reports are for HR and administrators.")
    period = reports.span(request.args.get("from"), request.args.get("to"))
    name = request.args.get("department") or None
    dept = auth_service.get_department(name) if name else None
    rows = reports.by_employee(period, dept)
    return {
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "department": dept.name if dept else None,
        "items": [
            {
                "username": user.username,
                "display_name": user.display_name,
                "department": user.department.name if user.department else None,
                "points": {mode: c.points.get(mode, 0) for mode in SECI},
                "total": c.total,
                "counts": dict(c.counts),
                "pages": c.pages,
                "acceptance_rate": c.acceptance_rate,
                "reuse": c.reuse,
            }
            for user, c in rows
        ],
    }
