"""The handover pages: the dashboard, opening a case, the case with its
footprint and plan, answering and reviewing items, closing, and knowledge at
risk (``/accounts/risk``, which lives under /accounts but is this package's)."""

import math

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.models import User
from portal.errors import DomainError, attach_to_form
from portal.extensions import db
from portal.handover import at_risk, charts, permissions, service
from portal.handover.forms import (
    AddItemForm,
    AnswerForm,
    ConfirmForm,
    OpenCaseForm,
    ReviewForm,
)
from portal.handover.models import HandoverItem

bp = Blueprint("handover", __name__)

RISK_PER_PAGE = 50


def _user():
    return current_user._get_current_object()


def _case(case_id: int):
    try:
        return service.get_case(case_id, _user())
    except DomainError:
        abort(404)


def _item(item_id: int) -> HandoverItem:
    try:
        return service.get_item(item_id, _user())
    except DomainError:
        abort(404)


# --- the dashboard and opening a case -------------------------------------------------


@bp.route("/handover")
def dashboard():
    user = _user()
    rows = []
    for case in service.cases_for(user):
        items = service.visible_items(case, user)
        rows.append((case, service.progress(case, items)))
    return render_template(
        "handover/dashboard.html",
        rows=rows,
        can_open=permissions.can_open_case(user),
    )


@bp.route("/handover/new", methods=["GET", "POST"])
def new_case():
    user = _user()
    if not permissions.can_open_case(user):
        abort(404)
    form = OpenCaseForm()
    if request.method == "GET" and request.args.get("leaver"):
        form.leaver.data = request.args["leaver"].strip()
    suggestions = []
    leaver = None
    if form.leaver.data:
        leaver = db.session.scalar(
            sa.select(User).where(
                User.username == (form.leaver.data or "").strip().lstrip("@")
            )
        )
        if leaver is not None and permissions.can_open_case(user, leaver):
            suggestions = service.suggest_successors(leaver)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                case = service.open_case(
                    form.leaver.data,
                    form.leaving_on.data,
                    form.successors.data,
                    user,
                    note=form.note.data,
                )
                db.session.commit()
                flash(
                    _("Handover opened for %(name)s.", name=case.leaver.display_name),
                    "success",
                )
                return redirect(case.url)
            except DomainError as e:
                db.session.rollback()
                attach_to_form(form, e)
                status = e.status
        else:
            status = 400
    return render_template(
        "handover/new.html",
        form=form,
        leaver=leaver,
        suggestions=suggestions,
    ), status


# --- the case -------------------------------------------------------------------------


def _render_case(case, *, add_form=None, status=200):
    user = _user()
    items = service.visible_items(case, user)
    return render_template(
        "handover/case.html",
        case=case,
        items=items,
        progress=service.progress(case, items),
        overdue=service.item_overdue,
        footprint=case.footprint or {},
        threads=service.handed_over_threads(case)
        if permissions.can_see_all_items(user, case)
        else [],
        add_form=add_form or AddItemForm(),
        confirm=ConfirmForm(),
        can_manage=permissions.can_manage_case(user, case),
        sees_all=permissions.can_see_all_items(user, case),
    ), status


@bp.route("/handover/<int:case_id>")
def view_case(case_id: int):
    return _render_case(_case(case_id))


def _manage(case_id: int):
    case = _case(case_id)
    if not permissions.can_manage_case(_user(), case):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return case


@bp.route("/handover/<int:case_id>/refresh", methods=["POST"])
def refresh_case(case_id: int):
    case = _manage(case_id)
    new = service.refresh_case(case, _user())
    db.session.commit()
    flash(_("Footprint refreshed; %(n)d new items in the plan.", n=len(new)), "success")
    return redirect(case.url)


@bp.route("/handover/<int:case_id>/transfer", methods=["POST"])
def transfer(case_id: int):
    case = _manage(case_id)
    if case.closed:
        abort(409)
    added = service.transfer_watches(case)
    db.session.commit()
    flash(_("%(n)d threads handed over to the main successor.", n=added), "success")
    return redirect(case.url)


@bp.route("/handover/<int:case_id>/close", methods=["POST"])
def close_case(case_id: int):
    case = _manage(case_id)
    service.close_case(case, _user())
    db.session.commit()
    flash(
        _(
            "Handover closed: %(name)s is marked as departed.",
            name=case.leaver.display_name,
        ),
        "success",
    )
    return redirect(case.url)


@bp.route("/handover/<int:case_id>/items", methods=["POST"])
def add_item(case_id: int):
    case = _case(case_id)
    if not permissions.can_manage_case(_user(), case):
        abort(403)
    form = AddItemForm()
    if not form.validate_on_submit():
        return _render_case(case, add_form=form, status=400)
    try:
        service.add_item(
            case,
            form.title.data,
            _user(),
            account=(form.account.data or "").strip() or None,
            successor=(form.successor.data or "").strip() or None,
            due_on=(form.due_on.data or "").strip() or None,
        )
        db.session.commit()
    except DomainError as e:
        db.session.rollback()
        attach_to_form(form, e)
        return _render_case(
            service.get_case(case_id, _user()), add_form=form, status=e.status
        )
    flash(_("Item added to the plan."), "success")
    return redirect(case.url)


# --- items ----------------------------------------------------------------------------


@bp.route("/handover/items/<int:item_id>", methods=["GET", "POST"])
def view_item(item_id: int):
    item = _item(item_id)
    user = _user()
    form = AnswerForm()
    if request.method == "GET":
        form.answer.data = item.answer
    status = 200
    if request.method == "POST":
        if not permissions.is_leaver(user, item.case):
            abort(403)
        if form.validate_on_submit():
            try:
                if request.form.get("action") == "capture":
                    service.capture(item, form.answer.data, user)
                    message = _("Handed over. Thank you.")
                else:
                    service.save_draft(item, form.answer.data, user)
                    message = _("Draft saved.")
                db.session.commit()
                flash(message, "success")
                return redirect(url_for("handover.view_item", item_id=item.id))
            except DomainError as e:
                db.session.rollback()
                item = _item(item_id)
                attach_to_form(form, e)
                status = e.status
        else:
            status = 400
    return render_template(
        "handover/item.html",
        item=item,
        case=item.case,
        form=form,
        review_form=ReviewForm(),
        overdue=service.item_overdue(item),
    ), status


@bp.route("/handover/items/<int:item_id>/draft", methods=["POST"])
def autosave(item_id: int):
    """Save the answer typed so far (the item page's script calls it)."""
    item = _item(item_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return jsonify(
            {"error": {"message": _("The form expired; reload the page.")}}
        ), 400
    try:
        service.save_draft(item, form.answer.data, _user())
        db.session.commit()
    except DomainError as e:
        db.session.rollback()
        return jsonify({"error": {"message": e.message}}), e.status
    return jsonify({"saved_at": item.saved_at.isoformat(), "status": item.status})


@bp.route("/handover/items/<int:item_id>/review", methods=["POST"])
def review_item(item_id: int):
    item = _item(item_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    outcome = request.form.get("outcome", "")
    service.review(item, outcome, _user(), note=form.note.data)
    db.session.commit()
    flash(
        _("Marked as understood.")
        if outcome == "understood"
        else _("Session requested; the leaver and HR see it on the case."),
        "success",
    )
    return redirect(item.case.url)


# --- knowledge at risk ----------------------------------------------------------------


@bp.route("/accounts/risk")
def risk():
    user = _user()
    if not permissions.can_view_risk(user):
        abort(404)
    order = request.args.get("sort", "risk")
    if order not in ("risk", "tier", "name"):
        order = "risk"
    level = request.args.get("level", "")
    if level not in at_risk.LEVELS:
        level = ""
    rows = at_risk.sort_risks(at_risk.risk_table(), order)
    counts = {lv: sum(1 for r in rows if r.level == lv) for lv in at_risk.LEVELS}
    shown = [r for r in rows if not level or r.level == level]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    pages = max(1, math.ceil(len(shown) / RISK_PER_PAGE))
    page = min(page, pages)
    person = None
    drops = None
    name = request.args.get("what_if", "").strip().lstrip("@")
    status = 200
    if name:
        person = db.session.scalar(sa.select(User).where(User.username == name))
        if person is None:
            flash(_("There is nobody called “%(name)s”.", name=name), "error")
            status = 404
        else:
            drops = at_risk.what_if(person, rows)
    return render_template(
        "handover/risk.html",
        rows=shown[(page - 1) * RISK_PER_PAGE : page * RISK_PER_PAGE],
        total=len(shown),
        page=page,
        pages=pages,
        counts=counts,
        order=order,
        level=level,
        grid=charts.risk_grid(shown),
        person=person,
        what_if_name=name,
        drops=drops,
    ), status
