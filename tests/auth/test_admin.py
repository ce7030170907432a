"""User and department administration: admins only, clear errors."""

import pytest

from portal.auth.models import User
from portal.extensions import db

ADMIN_PAGES = [
    ("get", "/admin/users"),
    ("get", "/admin/users/new"),
    ("post", "/admin/users/new"),
    ("get", "/admin/departments"),
    ("get", "/admin/departments/new"),
    ("post", "/admin/departments/new"),
]


@pytest.mark.parametrize("role", ["employee", "moderator", "hr"])
@pytest.mark.parametrize(("method", "path"), ADMIN_PAGES)
def test_admin_pages_refuse_other_roles(make, login, role, method, path):
    client = login(make.user(role=role))
    assert getattr(client, method)(path).status_code == 403


def test_admin_pages_refuse_deactivate_for_employee(make, login, employee):
    target = make.user("target")
    client = login(employee)
    assert client.post(f"/admin/users/{target.id}/deactivate").status_code == 403
    assert db.session.get(User, target.id).active


def test_admin_creates_a_user_who_can_log_in(login, admin, client, make):
    dept = make.department("Key Accounts")
    response = login(admin).post(
        "/admin/users/new",
        data={
            "username": "liwei",
            "display_name": "李伟",
            "email": "liwei@example.com",
            "job_title": "Key account manager",
            "department_id": dept.id,
            "role": "employee",
            "locale": "zh",
            "password": "a long password",
        },
    )
    assert response.status_code == 302
    assert (
        client.post(
            "/login", data={"username": "liwei", "password": "a long password"}
        ).status_code
        == 302
    )


def test_duplicate_username_is_a_409_and_keeps_the_input(login, admin, employee):
    response = login(admin).post(
        "/admin/users/new",
        data={
            "username": "emma",
            "display_name": "Another Emma",
            "department_id": 0,
            "role": "employee",
            "locale": "",
            "password": "a long password",
        },
    )
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "already taken" in text
    assert 'value="Another Emma"' in text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("display_name", "x" * 121, "Field cannot be longer than 120 characters"),
        ("username", "has space", "A username is 2 to 40"),
        ("email", "not-an-address", "not an e-mail address"),
    ],
)
def test_bad_user_input_is_a_400_with_the_reason(login, admin, field, value, message):
    data = {
        "username": "newbie",
        "display_name": "New Bie",
        "department_id": 0,
        "role": "employee",
        "locale": "",
        "password": "a long password",
        field: value,
    }
    response = login(admin).post("/admin/users/new", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_new_user_needs_a_password(login, admin):
    response = login(admin).post(
        "/admin/users/new",
        data={
            "username": "nopass",
            "display_name": "No Pass",
            "department_id": 0,
            "role": "employee",
            "locale": "",
        },
    )
    assert response.status_code == 400
    assert "needs a password" in response.get_data(as_text=True)


def test_admin_deactivates_and_reactivates(login, admin, employee, client):
    admin_client = login(admin)
    response = admin_client.post(
        f"/admin/users/{employee.id}/deactivate", data={"departed": "1"}
    )
    assert response.status_code == 302
    user = db.session.get(User, employee.id)
    assert not user.active and user.left_at is not None
    assert (
        client.post(
            "/login", data={"username": "emma", "password": "correct horse battery"}
        ).status_code
        == 403
    )
    admin_client.post(f"/admin/users/{employee.id}/reactivate")
    assert db.session.get(User, employee.id).is_active


def test_admin_cannot_deactivate_self(login, admin):
    login(admin).post(f"/admin/users/{admin.id}/deactivate")
    assert db.session.get(User, admin.id).active


def test_departments_crud_and_duplicate(login, admin):
    client = login(admin)
    assert (
        client.post(
            "/admin/departments/new",
            data={"name": "售后服务", "description": "After-sales"},
        ).status_code
        == 302
    )
    listing = client.get("/admin/departments").get_data(as_text=True)
    assert "售后服务" in listing
    dup = client.post("/admin/departments/new", data={"name": "售后服务"})
    assert dup.status_code == 409
    assert "already exists" in dup.get_data(as_text=True)


def test_user_list_filters(login, admin, make):
    make.user("zhangsan", display_name="张三")
    make.user("lisi", display_name="李四")
    text = login(admin).get("/admin/users?q=张").get_data(as_text=True)
    assert "张三" in text and "李四" not in text


def test_settings_change_language_and_password(login, employee, client):
    c = login(employee)
    response = c.post(
        "/settings",
        data={
            "display_name": "Emma E.",
            "email": "",
            "job_title": "Agent",
            "locale": "zh",
            "password": "brand new password",
        },
    )
    assert response.status_code == 302
    page = c.get("/settings").get_data(as_text=True)
    assert "保存设置" in page  # the page now speaks Chinese
    assert (
        client.post(
            "/login", data={"username": "emma", "password": "brand new password"}
        ).status_code
        == 302
    )


def test_profile_page_and_unknown_user(login, employee):
    c = login(employee)
    assert "Emma Employee" in c.get("/u/emma").get_data(as_text=True)
    assert c.get("/u/nobody").status_code == 404
