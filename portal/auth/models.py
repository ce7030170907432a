"""People: users, their departments, and the record of login attempts."""

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.dbtypes import Timestamps, UTCDateTime
from portal.extensions import db

ROLES = ("employee", "moderator", "hr", "admin")


class Department(Timestamps, db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[str] = mapped_column(sa.String(500), default="")

    users: Mapped[list["User"]] = relationship(back_populates="department")

    def __repr__(self) -> str:
        return f"<Department {self.name}>"


class User(UserMixin, Timestamps, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(40), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    department_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("departments.id"), index=True
    )
    job_title: Mapped[str] = mapped_column(sa.String(120), default="")
    role: Mapped[str] = mapped_column(sa.String(20), default="employee", index=True)
    active: Mapped[bool] = mapped_column(default=True, index=True)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    time_zone: Mapped[str | None] = mapped_column(sa.String(64))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Changes whenever the password changes or the user is deactivated, so that
    # every existing session and remember-me cookie stops working.
    session_token: Mapped[str] = mapped_column(sa.String(64))

    department: Mapped[Department | None] = relationship(back_populates="users")

    __table_args__ = (sa.CheckConstraint(f"role IN {ROLES}", name="role"),)

    def set_password(self, password: str) -> None:
        # Tests set a cheap method; the default (scrypt) is deliberately slow.
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active and self.left_at is None

    @property
    def departed(self) -> bool:
        return self.left_at is not None

    @property
    def url(self) -> str:
        return f"/u/{self.username}"

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class LoginAttempt(db.Model):
    """One login attempt; failures drive the lockout, successes the audit."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(40))
    success: Mapped[bool]
    ip: Mapped[str] = mapped_column(sa.String(45), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set on the failure that reached the limit: attempts are refused until then.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.Index("ix_login_attempts_username_created", "username", "created_at"),
    )
