"""Small factories for test data; each commits so views see the rows."""

import itertools

from portal.auth import service as auth_service
from portal.extensions import db

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


class Factories:
    def department(self, name: str | None = None, **kw):
        dept = auth_service.create_department(name or f"Dept {next(_seq)}", **kw)
        db.session.commit()
        return dept

    def user(
        self,
        username: str | None = None,
        *,
        role: str = "employee",
        password: str = PASSWORD,
        **kw,
    ):
        user = auth_service.create_user(
            username or f"user{next(_seq)}", password, role=role, **kw
        )
        db.session.commit()
        return user
