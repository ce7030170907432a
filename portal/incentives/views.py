"""The leaderboard, a person's points, the rules page, suspicious voting, and the
HR contribution reports with their charts, drill-down and CSV export."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal.auth.models import ROLES, Department
from portal.auth.permissions import require
from portal.errors import DomainError, Invalid, attach_to_form
from portal.extensions import db
from portal.incentives import (
    badges,
    charts,
    explain,
    leaderboard,
    permissions,
    reports,
    service,
    suspicious,
)
from portal.incentives import rules as rules_module
from portal.incentives.forms import ActionForm, RuleForm, SettingsForm
from portal.incentives.labels import seci_label
from portal.incentives.models import SECI, PointEntry

bp = Blueprint("incentives", __name__)

POINTS_PER_PAGE = 50


def _viewer():
    return current_user._get_current_object()


def _page_arg() -> int:
    page = request.args.get("page", 1, type=int)
    return page if page and page > 0 else 1


def _departments() -> list[Department]:
    return list(db.session.scalars(sa.select(Department).order_by(Department.name)))


# --- leaderboard ---------------------------------------------------------------------


@bp.route("/leaderboard", endpoint="leaderboard")
def leaderboard_view():
    span = leaderboard.period(
        request.args.get("period") or "month", request.args.get("offset") or 0
    )
    dept = leaderboard.department(request.args.get("department"))
    board = leaderboard.board(span, viewer=_viewer(), dept=dept)
    return render_template(
        "incentives/leaderboard.html",
        board=board,
        span=span,
        dept=dept,
        departments=_departments(),
        periods=leaderboard.PERIODS,
    )


# --- a person's points ---------------------------------------------------------------


def _points_page(user):
    viewer = _viewer()
    page = db.paginate(
        service.ledger_of(user).options(selectinload(PointEntry.reversed_by)),
        page=_page_arg(),
        per_page=POINTS_PER_PAGE,
        error_out=False,
    )
    split = service.points_by_seci(user)
    return render_template(
        "incentives/points.html",
        user=user,
        own=viewer.id == user.id,
        page=page,
        rows=explain.explain(page.items, viewer),
        balance=sum(split.values()),
        split=split,
        badges=badges.badges_of(user.id),
        month=leaderboard.rank_of(user, leaderboard.period("month")),
    )


@bp.route("/incentives/me")
def my_points():
    return _points_page(_viewer())


@bp.route("/u/<username>/points")
def user_points(username: str):
    user = reports.person(username)
    require(permissions.can_view_points(current_user, user))
    return _points_page(user)


@bp.route("/incentives/badges")
def list_badges():
    holders = dict(
        db.session.execute(
            sa.select(
                badges.UserBadge.badge, sa.func.count(badges.UserBadge.id)
            ).group_by(badges.UserBadge.badge)
        ).all()
    )
    return render_template(
        "incentives/badges.html",
        badges=list(badges.BADGES.values()),
        holders=holders,
        mine=badges.earned(_viewer().id),
    )


# --- rules and settings (admins) ------------------------------------------------------


def _settings_form(formdata=None) -> SettingsForm:
    current = rules_module.settings()
    form = SettingsForm(formdata=formdata, data=current if formdata is None else None)
    form.excluded_departments.choices = [(d.id, d.name) for d in _departments()]
    from portal.auth import role_label

    form.excluded_roles.choices = [(r, role_label(r)) for r in ROLES]
    return form


def _rules_page(settings_form, status=200):
    return render_template(
        "incentives/rules.html",
        rules=rules_module.all_rules(),
        form=settings_form,
    ), status


@bp.route("/incentives/rules")
def list_rules():
    require(permissions.can_manage_rules(current_user))
    return _rules_page(_settings_form())


@bp.route("/incentives/settings", methods=["GET", "POST"])
def edit_settings():
    require(permissions.can_manage_rules(current_user))
    if request.method == "GET":
        return redirect(url_for("incentives.list_rules"))
    form = _settings_form(request.form)
    if not form.validate():
        return _rules_page(form, 400)
    try:
        rules_module.update_settings(
            **{name: getattr(form, name).data for name in rules_module.DEFAULT_SETTINGS}
        )
    except DomainError as e:
        db.session.rollback()
        attach_to_form(form, e)
        return _rules_page(form, e.status)
    db.session.commit()
    flash(_("Settings saved."), "success")
    return redirect(url_for("incentives.list_rules"))


def _seci_choices():
    return [(s, seci_label(s)) for s in SECI]


@bp.route("/incentives/rules/<key>", methods=["GET", "POST"])
def edit_rule(key: str):
    require(permissions.can_manage_rules(current_user))
    current = rules_module.rule(key)
    form = RuleForm(
        data={
            "points": current.points,
            "enabled": current.enabled,
            "seci": current.seci,
        }
        if request.method == "GET"
        else None
    )
    form.seci.choices = _seci_choices()
    status = 200
    if form.validate_on_submit():
        try:
            rules_module.set_rule(
                key,
                points=form.points.data,
                enabled=form.enabled.data,
                seci=form.seci.data,
                actor=_viewer(),
            )
        except DomainError as e:
            db.session.rollback()
            attach_to_form(form, e)
            status = e.status
        else:
            db.session.commit()
            flash(
                _(
                    "Rule “%(rule)s” saved. Run a recompute to apply it to past "
                    "awards.",
                    rule=current.label,
                ),
                "success",
            )
            return redirect(url_for("incentives.list_rules"))
    elif request.method == "POST":
        status = 400
    return render_template("incentives/rule_form.html", rule=current, form=form), status


@bp.route("/incentives/rules/<key>/reset", methods=["POST"])
def reset_rule(key: str):
    require(permissions.can_manage_rules(current_user))
    if not ActionForm().validate_on_submit():
        abort(400)
    current = rules_module.reset_rule(key)
    db.session.commit()
    flash(_("Rule “%(rule)s” is back to its default.", rule=current.label), "success")
    return redirect(url_for("incentives.list_rules"))


# --- suspicious voting (moderators) ---------------------------------------------------


def _days_arg(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 366:
        raise Invalid(
            _("The window is a number of days from 1 to 366."),
            details={"field": "days"},
        )
    return days


@bp.route("/incentives/suspicious")
def suspicious_votes():
    require(permissions.can_review_votes(current_user))
    days = _days_arg(request.args.get("days"))
    return render_template(
        "incentives/suspicious.html",
        pairs=suspicious.pairs(days),
        days=days or rules_module.setting("suspicious_window_days"),
        settings=rules_module.settings(),
        form=ActionForm(),
    )


@bp.route("/incentives/suspicious/reverse", methods=["POST"])
def reverse_votes():
    require(permissions.can_review_votes(current_user))
    if not ActionForm().validate_on_submit():
        abort(400)
    days = _days_arg(request.form.get("days"))
    done = suspicious.reverse_pair(
        request.form.get("voter"),
        request.form.get("author"),
        _viewer(),
        days=days,
        both=request.form.get("both") == "1",
    )
    db.session.commit()
    flash(
        _("%(n)d awards from these votes reversed.", n=done)
        if done
        else _("Nothing left to reverse: these votes earn no points."),
        "success",
    )
    return redirect(url_for("incentives.suspicious_votes", days=days))


# --- HR contribution reports ----------------------------------------------------------


def _span():
    return reports.span(request.args.get("from"), request.args.get("to"))


def _period_args(span) -> dict:
    return {"from": span.first.isoformat(), "to": span.last.isoformat()}


def _seci_labels() -> dict[str, str]:
    return {s: seci_label(s) for s in SECI}


def _trend(chart_id: str, span, title: str, **who):
    months, series = reports.monthly(span, **who)
    series = dict(series)
    series["total"] = [sum(values) for values in zip(*series.values(), strict=True)]
    labels = _seci_labels() | {"total": seci_label("total")}
    return charts.line_chart(chart_id, months, series, title=title, labels=labels)


def _split(chart_id: str, bars, title: str):
    return charts.stacked_bars(chart_id, bars, title=title, labels=_seci_labels())


@bp.route("/incentives/reports")
def view_reports():
    require(permissions.can_view_reports(current_user))
    span = _span()
    dept = leaderboard.department(request.args.get("department"))
    if dept is not None:
        rows = reports.by_employee(span, dept)
        total = reports.totals(rows)
        bars = [(u.display_name, c.points) for u, c in rows[:30]]
        title = _("%(department)s: points per month", department=dept.name)
    else:
        rows = reports.by_department(span)
        total = reports.totals(rows)
        bars = [(d.name if d else _("(no department)"), c.points) for d, c, _n in rows]
        title = _("Everyone: points per month")
    return render_template(
        "incentives/reports.html",
        span=span,
        dept=dept,
        rows=rows,
        total=total,
        departments=_departments(),
        period_args=_period_args(span),
        trend=_trend("trend", span, title, dept=dept),
        split=_split("split", bars, _("Split by SECI mode")),
    )


@bp.route("/incentives/reports/people/<username>")
def person_report(username: str):
    require(permissions.can_view_reports(current_user))
    user = reports.person(username)
    span = _span()
    found = [c for u, c in reports.by_employee(span) if u.id == user.id]
    contribution = found[0] if found else reports.Contribution()
    return render_template(
        "incentives/report_person.html",
        user=user,
        span=span,
        c=contribution,
        period_args=_period_args(span),
        trend=_trend(
            "trend",
            span,
            _("%(name)s: points per month", name=user.display_name),
            user=user,
        ),
        split=_split(
            "split", [(user.display_name, contribution.points)], _("Split by SECI mode")
        ),
    )


def _count_rules(name: str | None):
    if not name:
        return None
    if name not in reports.COUNT_RULES:
        raise Invalid(
            _("Unknown count “%(count)s”.", count=name), details={"field": "count"}
        )
    return reports.COUNT_RULES[name]


@bp.route("/incentives/reports/rows")
def report_rows():
    require(permissions.can_view_reports(current_user))
    span = _span()
    user = reports.person(request.args["user"]) if request.args.get("user") else None
    dept = leaderboard.department(request.args.get("department"))
    seci = request.args.get("seci") or None
    rule_key = request.args.get("rule") or None
    rule = rules_module.rule(rule_key) if rule_key else None
    count = request.args.get("count") or None
    rules = _count_rules(count) or ((rule.key,) if rule else None)
    stmt = reports.drill_rows(
        span,
        user=user,
        dept=dept,
        seci=seci,
        rules=rules,
        standing=count is not None,
    ).options(selectinload(PointEntry.user), selectinload(PointEntry.reversed_by))
    page = db.paginate(
        stmt, page=_page_arg(), per_page=POINTS_PER_PAGE, error_out=False
    )
    return render_template(
        "incentives/report_rows.html",
        span=span,
        user=user,
        dept=dept,
        seci=seci,
        rule=rule,
        count=count,
        page=page,
        rows=explain.explain(page.items, _viewer()),
        period_args=_period_args(span),
    )


@bp.route("/incentives/reports.csv")
def export_report():
    require(permissions.can_view_reports(current_user))
    span = _span()
    level = request.args.get("level") or "employee"
    dept = leaderboard.department(request.args.get("department"))
    if level == "employee":
        data = reports.employee_csv(span, dept)
    elif level == "department":
        data = reports.department_csv(span)
    else:
        raise Invalid(
            _("Export by employee or by department, not “%(level)s”.", level=level),
            details={"field": "level"},
        )
    name = f"contributions-{level}-{span.first.isoformat()}-{span.last.isoformat()}.csv"
    return Response(
        data,
        mimetype="text/csv",
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )
