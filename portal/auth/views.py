"""Signing in and out, personal settings, profiles, and user administration."""

import secrets
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import joinedload

from portal import signals
from portal.auth import permissions, service
from portal.auth.forms import (
    ConfirmForm,
    DepartmentForm,
    LoginForm,
    SettingsForm,
    UserForm,
)
from portal.auth.models import Department, User
from portal.auth.permissions import require
from portal.errors import DomainError, attach_to_form, flash_error
from portal.extensions import db

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Return ``target`` if it stays on this site, else the home page."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
        ):
            return target
    return url_for("home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = service.authenticate(
                form.username.data,
                form.password.data,
                ip=request.remote_addr or "",
                max_failures=current_app.config["LOGIN_MAX_FAILURES"],
                lockout=timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"]),
            )
        except DomainError as e:
            # The failed attempt is recorded: commit it, it drives the lockout.
            db.session.commit()
            flash_error(e)
            status = e.status if e.status != 400 else 401
        else:
            db.session.commit()
            # A fresh session on login: nothing set before it (by anyone who
            # planted a cookie) survives, and the session id changes.
            session.clear()
            login_user(user, remember=form.remember.data)
            session["sid"] = secrets.token_hex(16)
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/u/<username>")
def profile(username: str):
    user = db.first_or_404(
        sa.select(User)
        .where(User.username == username)
        .options(joinedload(User.department))
    )
    panels = signals.collect_panels(signals.profile_panels, user, viewer=current_user)
    return render_template("auth/profile.html", user=user, panels=panels)


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    user = current_user._get_current_object()
    form = SettingsForm(obj=user)
    if request.method == "GET":
        form.locale.data = user.locale or ""
        form.email.data = user.email or ""
    status = 200
    if form.validate_on_submit():
        try:
            fields = {
                "display_name": form.display_name.data,
                "email": form.email.data,
                "job_title": form.job_title.data,
                "locale": form.locale.data,
            }
            if form.password.data:
                fields["password"] = form.password.data
            service.update_user(user, actor=user, **fields)
        except DomainError as e:
            db.session.rollback()
            attach_to_form(form, e)
            status = e.status
        else:
            db.session.commit()
            if form.password.data:
                # The password change ended every session, this one included.
                login_user(user)
            flash(_("Your settings are saved."), "success")
            return redirect(url_for("auth.settings"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/settings.html", form=form), status


# --- administration ------------------------------------------------------------


@bp.route("/admin/users")
def admin_users():
    require(permissions.can_manage_users(current_user))
    q = request.args.get("q", "").strip()
    stmt = sa.select(User).order_by(User.username)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            sa.or_(User.username.ilike(like), User.display_name.ilike(like))
        )
    page = db.paginate(
        stmt.options(sa.orm.selectinload(User.department)), per_page=50, error_out=False
    )
    return render_template(
        "auth/admin_users.html", page=page, q=q, confirm=ConfirmForm()
    )


def _department_choices():
    depts = db.session.scalars(sa.select(Department).order_by(Department.name))
    return [(0, _("(none)"))] + [(d.id, d.name) for d in depts]


@bp.route("/admin/users/new", methods=["GET", "POST"])
@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
def admin_edit_user(user_id: int | None = None):
    require(permissions.can_manage_users(current_user))
    user = db.get_or_404(User, user_id) if user_id else None
    form = UserForm(obj=user)
    form.department_id.choices = _department_choices()
    if request.method == "GET" and user is not None:
        form.department_id.data = user.department_id or 0
        form.locale.data = user.locale or ""
        form.email.data = user.email or ""
    status = 200
    if form.validate_on_submit():
        dept = (
            db.session.get(Department, form.department_id.data)
            if form.department_id.data
            else None
        )
        try:
            if user is None:
                if not form.password.data:
                    form.password.errors = [_("A new user needs a password.")]
                    raise _FormError
                user = service.create_user(
                    form.username.data,
                    form.password.data,
                    display_name=form.display_name.data,
                    email=form.email.data,
                    role=form.role.data,
                    department=dept,
                    job_title=form.job_title.data,
                    locale=form.locale.data,
                    actor=current_user,
                )
                flash(_("User %(name)s created.", name=user.username), "success")
            else:
                service.update_user(
                    user,
                    actor=current_user,
                    display_name=form.display_name.data,
                    email=form.email.data,
                    job_title=form.job_title.data,
                    department=dept,
                    role=form.role.data,
                    locale=form.locale.data,
                    password=form.password.data,
                )
                flash(_("User %(name)s saved.", name=user.username), "success")
        except DomainError as e:
            db.session.rollback()
            attach_to_form(form, e)
            status = e.status
        except _FormError:
            status = 400
        else:
            db.session.commit()
            return redirect(url_for("auth.admin_users"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/admin_user_form.html", form=form, user=user), status


class _FormError(Exception):
    """A field-level error already attached to the form."""


@bp.route("/admin/users/<int:user_id>/deactivate", methods=["POST"])
def admin_deactivate_user(user_id: int):
    require(permissions.can_manage_users(current_user))
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        service.deactivate(
            user, actor=current_user, departed=request.form.get("departed") == "1"
        )
    except DomainError as e:
        db.session.rollback()
        flash_error(e)
        return redirect(url_for("auth.admin_users")), 303
    db.session.commit()
    flash(_("%(name)s can no longer log in.", name=user.display_name), "success")
    return redirect(url_for("auth.admin_users"))


@bp.route("/admin/users/<int:user_id>/reactivate", methods=["POST"])
def admin_reactivate_user(user_id: int):
    require(permissions.can_manage_users(current_user))
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.reactivate(user, actor=current_user)
    db.session.commit()
    flash(_("%(name)s can log in again.", name=user.display_name), "success")
    return redirect(url_for("auth.admin_users"))


@bp.route("/admin/departments")
def admin_departments():
    require(permissions.can_manage_users(current_user))
    depts = db.session.execute(
        sa.select(Department, sa.func.count(User.id))
        .outerjoin(User, User.department_id == Department.id)
        .group_by(Department.id)
        .order_by(Department.name)
    ).all()
    return render_template("auth/admin_departments.html", departments=depts)


@bp.route("/admin/departments/new", methods=["GET", "POST"])
@bp.route("/admin/departments/<int:dept_id>/edit", methods=["GET", "POST"])
def admin_edit_department(dept_id: int | None = None):
    require(permissions.can_manage_users(current_user))
    dept = db.get_or_404(Department, dept_id) if dept_id else None
    form = DepartmentForm(obj=dept)
    status = 200
    if form.validate_on_submit():
        try:
            if dept is None:
                service.create_department(form.name.data, form.description.data or "")
            else:
                service.update_department(
                    dept, form.name.data, form.description.data or ""
                )
        except DomainError as e:
            db.session.rollback()
            attach_to_form(form, e)
            status = e.status
        else:
            db.session.commit()
            flash(_("Department saved."), "success")
            return redirect(url_for("auth.admin_departments"))
    elif request.method == "POST":
        status = 400
    return render_template(
        "auth/admin_department_form.html", form=form, dept=dept
    ), status
