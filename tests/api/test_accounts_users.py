"""API v1 accounts and people: success, permissions, validation, paging, Chinese."""

import pytest

from portal.accounts import service as accounts_service
from portal.auth.models import User
from portal.extensions import db


@pytest.fixture
def accounts(app, make):
    manager = make.user("manager", display_name="Manager")
    made = [
        accounts_service.create_account(
            f"客户 {n:02d}", f"CRM-{n:05d}", account_manager=manager
        )
        for n in range(1, 36)
    ]
    db.session.commit()
    return made


def test_list_is_paged(api, employee, accounts):
    first = api(employee).get("/accounts?per_page=10").get_json()
    assert first["total"] == 35 and first["page"] == 1 and first["per_page"] == 10
    assert len(first["items"]) == 10
    last = api(employee).get("/accounts?per_page=10&page=4").get_json()
    assert len(last["items"]) == 5
    beyond = api(employee).get("/accounts?page=9").get_json()
    assert beyond["items"] == []


@pytest.mark.parametrize("query", ["per_page=101", "per_page=0", "page=0", "page=x"])
def test_bad_paging_is_400(api, employee, query):
    response = api(employee).get(f"/accounts?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid"


def test_create_get_and_chinese_round_trip(api, employee):
    client = api(employee)
    created = client.post(
        "/accounts",
        json={
            "name": "上海明德医疗",
            "crm_ref": "CRM-77001",
            "industry": "医疗",
            "region": "华东",
            "tier": "key",
        },
    )
    assert created.status_code == 201
    body = created.get_json()
    assert body["name"] == "上海明德医疗" and body["industry"] == "医疗"
    fetched = client.get(f"/accounts/{body['id']}")
    assert fetched.get_json()["name"] == "上海明德医疗"
    assert fetched.headers["Content-Type"].startswith("application/json")


def test_duplicate_crm_ref_is_409(api, employee, accounts):
    response = api(employee).post(
        "/accounts", json={"name": "Again", "crm_ref": "CRM-00001"}
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "", "crm_ref": "CRM-1"},
        {"name": "x" * 201, "crm_ref": "CRM-2"},
        {"name": "A", "crm_ref": "CRM-3", "tier": "platinum"},
        {"name": 5, "crm_ref": "C"},
        {"name": "A", "crm_ref": "CRM-4", "owner": "me"},
    ],
)
def test_invalid_account_input_is_400(api, employee, body):
    response = api(employee).post("/accounts", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["message"]


def test_missing_account_is_404(api, employee):
    assert api(employee).get("/accounts/999999").status_code == 404


def test_patch_needs_the_right_to_edit(api, employee, accounts, make):
    account = accounts[0]
    refused = api(employee).patch(f"/accounts/{account.id}", json={"status": "at_risk"})
    assert refused.status_code == 403
    manager = db.session.scalar(db.select(User).where(User.username == "manager"))
    ok = api(manager).patch(f"/accounts/{account.id}", json={"status": "at_risk"})
    assert ok.status_code == 200 and ok.get_json()["status"] == "at_risk"


def test_upsert_by_crm_ref(api, make):
    admin = make.user("crm_admin", role="admin")
    client = api(admin)
    first = client.put("/accounts/by-ref/SF-001", json={"name": "Northwind 北风"})
    assert first.status_code == 201
    again = client.put("/accounts/by-ref/SF-001", json={"name": "Northwind 北风"})
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    mismatch = client.put("/accounts/by-ref/SF-001", json={"crm_ref": "SF-002"})
    assert mismatch.status_code == 400


def test_get_user(api, employee):
    body = api(employee).get("/users/emma").get_json()
    assert body["username"] == "emma" and body["active"] is True
    assert api(employee).get("/users/nobody").status_code == 404


def test_only_admins_provision_people(api, employee, admin, make):
    make.department("Sales")
    refused = api(employee).post(
        "/users", json={"username": "x1", "password": "long enough"}
    )
    assert refused.status_code == 403
    client = api(admin)
    created = client.post(
        "/users",
        json={
            "username": "wangfang",
            "password": "long enough",
            "display_name": "王芳",
            "department": "Sales",
            "role": "employee",
        },
    )
    assert created.status_code == 201
    assert created.get_json()["display_name"] == "王芳"
    assert (
        client.post(
            "/users", json={"username": "wangfang", "password": "long enough"}
        ).status_code
        == 409
    )
    assert (
        client.post(
            "/users",
            json={"username": "x2", "password": "long enough", "department": "Nope"},
        ).status_code
        == 404
    )


def test_patch_active_false_marks_departed_and_blocks_login(
    api, admin, employee, client
):
    response = api(admin).patch("/users/emma", json={"active": False})
    assert response.status_code == 200
    body = response.get_json()
    assert body["active"] is False and body["left_at"]
    assert (
        client.post(
            "/login", data={"username": "emma", "password": "correct horse battery"}
        ).status_code
        == 403
    )
    assert api(admin).patch("/users/emma", json={"active": "no"}).status_code == 400


def test_openapi_describes_every_api_route(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0"
    described = {
        (path, method.upper())
        for path, methods in doc["paths"].items()
        for method in methods
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<int:{arg}>", f"{{{arg}}}").replace(
                f"<{arg}>", f"{{{arg}}}"
            )
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in described, (
                f"{method} {path} is not in openapi.json"
            )


def test_docs_describe_every_api_operation(app):
    from pathlib import Path

    from portal.api.common import OPERATIONS

    docs = (Path(__file__).parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    missing = [
        f"{method.upper()} /api/v1{path}"
        for path, methods in OPERATIONS.items()
        for method in methods
        if f"### {method.upper()} /api/v1{path}\n" not in docs
    ]
    assert not missing, f"docs/api.md lacks: {missing}"


def test_account_risk_names_who_knows_it(api, make, employee):
    from datetime import timedelta

    from portal import clock
    from portal.handover import service as handover
    from tests.forums.factories import make_forum, make_reply, make_thread

    account = accounts_service.create_account("ACME", "CRM-9")
    db.session.commit()
    forum = make_forum("Questions", kind="questions")
    thread = make_thread(forum, employee, "ACME?", accounts=[account])
    liwei = make.user("liwei", display_name="Li Wei")
    answer = make_reply(thread, liwei, "Here is how.")
    from portal.forums import service as forums

    forums.accept_answer(thread, answer, employee)
    db.session.commit()
    hr = make.user("hr1", role="hr")
    handover.open_case(liwei, clock.now().date() + timedelta(days=20), [employee], hr)
    db.session.commit()
    body = api(employee).get(f"/accounts/{account.id}/risk").get_json()
    assert body["level"] in ("high", "medium", "low", "none", "critical", "unknown")
    assert body["people"][0]["username"] == "liwei"
    assert "Li Wei" in body["reason"]
    assert body["open_case"] is None  # an employee does not see handovers
    seen_by_hr = api(hr).get(f"/accounts/{account.id}/risk").get_json()
    assert seen_by_hr["open_case"]["leaver"] == "liwei"
    assert api(employee).get("/accounts/999/risk").status_code == 404
