"""``flask users create`` and ``users set-role``."""

import sqlalchemy as sa

from portal.auth.models import User
from portal.extensions import db


def test_users_create_and_set_role(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "wangfang",
            "--password",
            "a long password",
            "--role",
            "hr",
            "--department",
            "人力资源部",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.username == "wangfang"))
    assert user.role == "hr" and user.department.name == "人力资源部"
    assert user.check_password("a long password")

    result = runner.invoke(args=["users", "set-role", "wangfang", "admin"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(User, user.id).role == "admin"


def test_users_create_refuses_a_short_password(runner):
    result = runner.invoke(args=["users", "create", "shorty", "--password", "short"])
    assert result.exit_code != 0
    assert "at least 8 characters" in result.output


def test_set_role_of_unknown_user(runner):
    result = runner.invoke(args=["users", "set-role", "ghost", "admin"])
    assert result.exit_code != 0
    assert "no user called ghost" in result.output
