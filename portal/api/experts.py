"""API v1: find the colleague who knows, and ask the experts about a question.

The ranking is the experts package's, with its explanations: every person
comes with the evidence behind them, as on the web page.
"""

from flask import request
from flask_login import current_user

from portal.accounts import service as accounts_service
from portal.api.common import endpoint, int_arg, iso, json_body
from portal.api.schemas import SCHEMAS
from portal.errors import Invalid, NotFound
from portal.experts import ranking
from portal.experts import service as experts
from portal.extensions import db
from portal.forums import service as forums
from portal.tags import service as tags_service

_LIMIT = {"type": "integer", "minimum": 1, "maximum": 50}

SCHEMAS.update(
    {
        "Expert": {
            "type": "object",
            "required": ["username", "display_name", "score", "evidence", "items"],
            "properties": {
                "username": {"type": "string"},
                "display_name": {"type": "string"},
                "score": {"type": "number"},
                "evidence": {
                    "type": "object",
                    "additionalProperties": {"type": "integer"},
                },
                "skills": {"type": "array", "items": {"type": "string"}},
                "works_on_account": {"type": "boolean"},
                "first_at": {"type": ["string", "null"], "format": "date-time"},
                "last_at": {"type": ["string", "null"], "format": "date-time"},
                "items": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["kind", "title", "url"],
                        "properties": {
                            "kind": {"type": "string"},
                            "title": {"type": "string"},
                            "url": {"type": "string"},
                            "at": {"type": ["string", "null"], "format": "date-time"},
                        },
                    },
                },
            },
        },
        "Experts": {
            "type": "object",
            "required": ["items"],
            "properties": {
                "items": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/Expert"},
                }
            },
        },
        "AskInput": {
            "type": "object",
            "additionalProperties": False,
            "required": ["thread"],
            "properties": {
                "thread": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
            },
        },
        "ExpertRequest": {
            "type": "object",
            "required": ["id", "thread", "status", "round", "routed_to"],
            "properties": {
                "id": {"type": "integer"},
                "thread": {"type": "integer"},
                "status": {"type": "string"},
                "round": {"type": "integer"},
                "routed_to": {"type": "array", "items": {"type": "string"}},
            },
        },
    }
)


def expert_json(s) -> dict:
    return {
        "username": s.user.username,
        "display_name": s.user.display_name,
        "score": round(float(s.score), 4),
        "evidence": {str(k): int(v) for k, v in s.counts.items()},
        "skills": [skill.tag.name for skill in s.skills if skill.tag is not None],
        "works_on_account": bool(s.works_on),
        "first_at": iso(s.first_at),
        "last_at": iso(s.last_at),
        "items": [
            {"kind": i.kind, "title": i.title, "url": i.url, "at": iso(i.at)}
            for i in s.items
        ],
    }


def _rank(q: str, *, account=None):
    tag_slug = request.args.get("tag") or None
    tag = tags_service.get_by_slug(tag_slug) if tag_slug else None
    if not q.strip() and tag is None and account is None:
        raise Invalid("Send q, tag or account.", details={"field": "q"})
    suggestions = ranking.rank(
        q[:500],
        tag=tag,
        account=account,
        viewer=current_user._get_current_object(),
        limit=int_arg("limit", 10, maximum=50),
    )
    return {"items": [expert_json(s) for s in suggestions]}


_PARAMS = [
    {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 500}},
    {"name": "tag", "in": "query", "schema": {"type": "string", "maxLength": 120}},
    {"name": "limit", "in": "query", "schema": _LIMIT},
]


@endpoint(
    "/experts",
    "GET",
    summary="People who know about q (free text) or a tag, best first, with why",
    tag="experts",
    params=[
        *_PARAMS,
        {"name": "account", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    ],
    response={"$ref": "#/components/schemas/Experts"},
)
def find_experts():
    account_id = int_arg("account")
    account = accounts_service.get_account(account_id) if account_id else None
    return _rank(request.args.get("q") or "", account=account)


@endpoint(
    "/accounts/{account_id}/experts",
    "GET",
    summary="Experts on this account (optionally on q within it), with their evidence",
    tag="experts",
    params=_PARAMS,
    response={"$ref": "#/components/schemas/Experts"},
)
def account_experts(account_id: int):
    account = accounts_service.get_account(account_id)
    return _rank(request.args.get("q") or "", account=account)


@endpoint(
    "/experts/ask",
    "POST",
    summary="Ask the experts: route a question thread to the best available experts",
    tag="experts",
    body={"$ref": "#/components/schemas/AskInput"},
    response={"$ref": "#/components/schemas/ExpertRequest"},
    status=201,
    errors=(400, 401, 404, 409, 429),
)
def ask_experts():
    data = json_body(allowed={"thread"}, required={"thread"})
    thread_id = data["thread"]
    if isinstance(thread_id, bool) or not isinstance(thread_id, int):
        raise Invalid("thread is a thread id.", details={"field": "thread"})
    try:
        thread = forums.get_thread(thread_id, current_user)
    except NotFound:
        raise NotFound(f"There is no question {thread_id}.") from None
    asked = experts.ask(thread, current_user._get_current_object())
    db.session.commit()
    return {
        "id": asked.id,
        "thread": asked.thread_id,
        "status": asked.status,
        "round": asked.round,
        "routed_to": [r.user.username for r in asked.routings if r.user is not None],
    }, 201
