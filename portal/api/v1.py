"""API v1: tokens, customer accounts, people.

Each endpoint calls the same services as the web pages, as the token's owner,
so the same permissions hold. Errors use the format of ``portal.errors``.
"""

from flask import current_app, g, request
from flask_login import current_user

from portal.accounts import service as accounts_service
from portal.accounts.models import CustomerAccount
from portal.accounts.permissions import can_create_account, can_edit_account
from portal.api import service
from portal.api.common import (
    PAGING_PARAMS,
    endpoint,
    int_arg,
    iso,
    json_body,
    paged_schema,
    paginate,
    ref,
    string_field,
)
from portal.auth import service as auth_service
from portal.auth.models import User
from portal.auth.permissions import can_manage_users
from portal.errors import DomainError, Forbidden, Invalid, json_error
from portal.extensions import db

# --- tokens ----------------------------------------------------------------------


@endpoint(
    "/tokens",
    "POST",
    summary="Create a personal token from a username and password",
    tag="tokens",
    body=ref("TokenRequest"),
    response=ref("Token"),
    status=201,
    errors=(400, 401, 403, 429),
    public=True,
)
def create_token():
    data = json_body(
        allowed={"username", "password", "name"}, required={"username", "password"}
    )
    username, password = string_field(data, "username"), string_field(data, "password")
    name = string_field(data, "name") or ""
    try:
        user = auth_service.authenticate(
            username,
            password,
            ip=request.remote_addr or "",
            max_failures=current_app.config["LOGIN_MAX_FAILURES"],
            lockout=_lockout(),
        )
    except Invalid as e:
        db.session.commit()  # the failed attempt counts toward the lockout
        return json_error(401, "invalid_credentials", e.message)
    except DomainError as e:
        db.session.commit()
        return json_error(e.status, e.code, e.message)
    token, secret = service.create_token(user, name)
    db.session.commit()
    return {
        "token": secret,
        "id": token.id,
        "name": token.name,
        "created_at": iso(token.created_at),
    }, 201


def _lockout():
    from datetime import timedelta

    return timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])


@endpoint(
    "/tokens/current",
    "DELETE",
    summary="Revoke the token this request is made with",
    tag="tokens",
    response=None,
    status=204,
    errors=(401, 429),
)
def revoke_current_token():
    service.revoke(g.api_token)
    db.session.commit()
    return "", 204


# --- accounts --------------------------------------------------------------------

ACCOUNT_FIELDS = {
    "name",
    "crm_ref",
    "industry",
    "region",
    "tier",
    "status",
    "account_manager",
    "description",
}


def account_json(account: CustomerAccount) -> dict:
    return {
        "id": account.id,
        "name": account.name,
        "crm_ref": account.crm_ref,
        "industry": account.industry,
        "region": account.region,
        "tier": account.tier,
        "status": account.status,
        "account_manager": account.account_manager.username
        if account.account_manager
        else None,
        "description": account.description,
        "created_at": iso(account.created_at),
        "updated_at": iso(account.updated_at),
        "url": account.url,
    }


def _account_input() -> dict:
    data = json_body(allowed=ACCOUNT_FIELDS)
    for key in ACCOUNT_FIELDS - {"account_manager"}:
        string_field(data, key)
    manager = data.get("account_manager")
    if manager is not None and not isinstance(manager, str):
        raise Invalid(
            "account_manager must be a username.", details={"field": "account_manager"}
        )
    return data


@endpoint(
    "/accounts",
    "GET",
    summary="List customer accounts",
    tag="accounts",
    params=[
        {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}},
        {"name": "tier", "in": "query", "schema": {"type": "string"}},
        {"name": "status", "in": "query", "schema": {"type": "string"}},
        {"name": "industry", "in": "query", "schema": {"type": "string"}},
        {"name": "region", "in": "query", "schema": {"type": "string"}},
        *PAGING_PARAMS,
    ],
    response=paged_schema("Account"),
)
def list_accounts():
    stmt = accounts_service.list_accounts(
        q=request.args.get("q") or None,
        industry=request.args.get("industry") or None,
        region=request.args.get("region") or None,
        tier=request.args.get("tier") or None,
        status=request.args.get("status") or None,
    )
    return paginate(stmt, account_json)


@endpoint(
    "/accounts",
    "POST",
    summary="Create a customer account",
    tag="accounts",
    body=ref("AccountInput"),
    response=ref("Account"),
    status=201,
    errors=(400, 401, 403, 409, 429),
)
def create_account():
    if not can_create_account(current_user):
        raise Forbidden("You may not create accounts.")
    data = _account_input()
    account = accounts_service.create_account(
        data.pop("name", "") or "",
        data.pop("crm_ref", "") or "",
        actor=current_user,
        **{k: v for k, v in data.items() if v is not None},
    )
    db.session.commit()
    return account_json(account), 201


@endpoint(
    "/accounts/{account_id}",
    "GET",
    summary="One customer account",
    tag="accounts",
    response=ref("Account"),
)
def get_account(account_id: int):
    return account_json(accounts_service.get_account(account_id))


@endpoint(
    "/accounts/{account_id}",
    "PATCH",
    summary="Change some fields of a customer account",
    tag="accounts",
    body=ref("AccountInput"),
    response=ref("Account"),
    errors=(400, 401, 403, 404, 409, 429),
)
def update_account(account_id: int):
    account = accounts_service.get_account(account_id)
    if not can_edit_account(current_user, account):
        raise Forbidden("You may not edit this account.")
    data = _account_input()
    accounts_service.update_account(account, current_user, **data)
    db.session.commit()
    return account_json(account)


@endpoint(
    "/accounts/by-ref/{crm_ref}",
    "PUT",
    summary="Create or update the account with this CRM reference",
    tag="accounts",
    body=ref("AccountInput"),
    response=ref("Account"),
    also=(201,),
    errors=(400, 401, 403, 409, 429),
)
def upsert_account(crm_ref: str):
    data = _account_input()
    if data.get("crm_ref") not in (None, crm_ref):
        raise Invalid(
            "crm_ref in the body must match the path.", details={"field": "crm_ref"}
        )
    existing = accounts_service.find_by_ref(crm_ref)
    allowed = (
        can_edit_account(current_user, existing)
        if existing
        else can_create_account(current_user)
    )
    if not allowed:
        raise Forbidden("You may not change this account.")
    account, created, _changed = accounts_service.upsert_by_ref(
        crm_ref, {k: v for k, v in data.items() if v is not None}, actor=current_user
    )
    db.session.commit()
    return account_json(account), 201 if created else 200


@endpoint(
    "/accounts/{account_id}/timeline",
    "GET",
    summary="Everything that happened about the account that you may see, newest "
    "first; pass the answer's older as before for the next page",
    tag="accounts",
    params=[
        {
            "name": "before",
            "in": "query",
            "schema": {"type": "string", "format": "date-time"},
        },
        {
            "name": "per_page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
        },
    ],
    response=ref("Timeline"),
)
def account_timeline(account_id: int):
    from portal.accounts import timeline

    account = accounts_service.get_account(account_id)
    moment = timeline.parse_cursor(request.args.get("before"))
    page = timeline.collect(
        account,
        current_user._get_current_object(),
        before=moment,
        limit=int_arg("per_page", 30, maximum=100),
    )
    return {
        "items": [
            {
                "when": iso(e.when),
                "kind": e.kind,
                "title": e.title,
                "url": e.url,
                "actor": e.actor.username if e.actor is not None else None,
            }
            for e in page.events
        ],
        "older": iso(page.older),
    }


@endpoint(
    "/accounts/{account_id}/risk",
    "GET",
    summary="Knowledge at risk: level, the reason in words, the people who know "
    "the account; an open handover only for HR and admins",
    tag="accounts",
    response=ref("Risk"),
)
def account_risk(account_id: int):
    from portal.handover import at_risk
    from portal.handover import permissions as handover_permissions

    account = accounts_service.get_account(account_id)
    viewer = current_user._get_current_object()
    sees_cases = handover_permissions.can_run_handovers(viewer)
    risk = at_risk.risk_for_account(account, with_cases=sees_cases, viewer=viewer)
    if not sees_cases:
        risk["open_case"] = None
    risk["people"] = [{k: v for k, v in p.items() if k != "id"} for p in risk["people"]]
    return risk


# --- people ----------------------------------------------------------------------


def user_json(user: User) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "job_title": user.job_title,
        "department": user.department.name if user.department else None,
        "role": user.role,
        "active": user.is_active,
        "left_at": iso(user.left_at),
        "url": user.url,
    }


USER_FIELDS = {
    "username",
    "display_name",
    "email",
    "department",
    "role",
    "job_title",
    "locale",
    "password",
    "active",
}


def _department(name):
    if name in (None, ""):
        return None
    return auth_service.get_department(name)


@endpoint(
    "/users/{username}",
    "GET",
    summary="A person's public profile",
    tag="people",
    response=ref("User"),
)
def get_user(username: str):
    return user_json(auth_service.get_user(username))


@endpoint(
    "/users",
    "POST",
    summary="Provision a person (administrators)",
    tag="people",
    body=ref("UserInput"),
    response=ref("User"),
    status=201,
    errors=(400, 401, 403, 404, 409, 429),
)
def create_user():
    if not can_manage_users(current_user):
        raise Forbidden("Only administrators provision people.")
    data = json_body(allowed=USER_FIELDS, required={"username", "password"})
    for key in USER_FIELDS - {"active"}:
        string_field(data, key)
    user = auth_service.create_user(
        data["username"],
        data["password"],
        display_name=data.get("display_name") or "",
        email=data.get("email"),
        role=data.get("role") or "employee",
        department=_department(data.get("department")),
        job_title=data.get("job_title") or "",
        locale=data.get("locale") or None,
        actor=current_user,
    )
    if data.get("active") is False:
        auth_service.deactivate(user, actor=current_user, departed=True)
    db.session.commit()
    return user_json(user), 201


@endpoint(
    "/users/{username}",
    "PATCH",
    summary="Change a person (administrators); active=false marks them departed",
    tag="people",
    body=ref("UserInput"),
    response=ref("User"),
    errors=(400, 401, 403, 404, 409, 429),
)
def update_user(username: str):
    if not can_manage_users(current_user):
        raise Forbidden("Only administrators change people.")
    user = auth_service.get_user(username)
    data = json_body(allowed=USER_FIELDS - {"username"})
    for key in USER_FIELDS - {"active", "username"}:
        string_field(data, key)
    active = data.pop("active", None)
    if active is not None and not isinstance(active, bool):
        raise Invalid("active must be true or false.", details={"field": "active"})
    fields = {k: v for k, v in data.items() if k != "department"}
    if "department" in data:
        fields["department"] = _department(data["department"])
    if fields:
        auth_service.update_user(user, actor=current_user, **fields)
    if active is False and user.is_active:
        auth_service.deactivate(user, actor=current_user, departed=True)
    elif active is True and not user.is_active:
        auth_service.reactivate(user, actor=current_user)
    db.session.commit()
    return user_json(user)
