"""The account list, the account page, creating and editing accounts, CSV import."""

from flask import Blueprint, current_app, flash, redirect, render_template, request
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from portal import clock, fragments, signals, versions
from portal.accounts import permissions, service
from portal.accounts import timeline as account_timeline
from portal.accounts.csv_import import import_csv
from portal.accounts.forms import AccountForm, ImportForm
from portal.accounts.models import STATUSES, TIERS
from portal.auth.permissions import require
from portal.errors import DomainError, attach_to_form
from portal.extensions import db
from portal.lru import LRU

bp = Blueprint("accounts", __name__)

FILTERS = ("q", "industry", "region", "tier", "status", "manager")


@bp.route("/accounts")
def list_accounts():
    args = {name: request.args.get(name, "").strip() for name in FILTERS}
    # Unknown values in the address filter nothing rather than fail.
    if args["tier"] not in TIERS:
        args["tier"] = ""
    if args["status"] not in STATUSES:
        args["status"] = ""
    sort = request.args.get("sort", "name")
    if sort not in service.SORTS:
        sort = "name"
    stmt = service.list_accounts(sort=sort, **{k: v or None for k, v in args.items()})
    page = db.paginate(
        stmt, per_page=current_app.config.get("PER_PAGE", 30), error_out=False
    )
    return render_template(
        "accounts/list.html",
        page=page,
        args=args,
        # The filters in use, for links that change only the sort order.
        active={name: value for name, value in args.items() if value},
        sort=sort,
        options=service.filter_options(),
        tiers=TIERS,
        statuses=STATUSES,
    )


# The account page's panels, rendered once for everyone who sees them alike
# (portal/fragments.py): about 5 KB each, so the default holds about 5 MB.
PANEL_CACHE = "accounts.panel_html"


@bp.record_once
def _panel_cache(state) -> None:
    state.app.extensions[PANEL_CACHE] = fragments.FragmentCache(
        state.app.config.get("ACCOUNT_PANEL_CACHE_SIZE", 1000)
    )


def _panel_html(account, panels) -> list:
    """Each panel's HTML, kept while the account's versions
    (``portal.versions``), the language, the time zone and the minute (the
    panels say "3 minutes ago") stay the same."""
    page_key = (
        account.id,
        versions.read((versions.account(account.id), versions.ALL)),
        str(get_locale()),
        str(get_timezone()),
        clock.now().replace(second=0, microsecond=0),
    )
    cache = current_app.extensions[PANEL_CACHE]
    fresh = versions.raised()
    return [fragments.render_panel(p, page_key, cache, fresh) for p in panels]


# Accounts' rows, kept per process while their versions stay (a change to an
# account raises its version): a kept account page then asks the database only
# about its reader. About 1 KB each; as many as the panels.
ROW_CACHE = "accounts.rows"


@bp.record_once
def _row_cache(state) -> None:
    state.app.extensions[ROW_CACHE] = LRU(
        state.app.config.get("ACCOUNT_PANEL_CACHE_SIZE", 1000)
    )


def _account(account_id: int):
    """The account, put into the session from the row kept for its versions
    (no query when kept)."""
    kept = versions.remembered(
        current_app.extensions[ROW_CACHE],
        account_id,
        (versions.account(account_id), versions.ALL),
        lambda: service.detached_copy(service.get_account(account_id)),
    )
    return db.session.merge(kept, load=False)


@bp.route("/accounts/<int:account_id>")
def view_account(account_id: int):
    account = _account(account_id)
    viewer = current_user._get_current_object()
    panels = signals.collect_panels(signals.account_panels, account, viewer=viewer)
    timeline = account_timeline.collect(account, viewer, limit=10)
    return fragments.render_page(
        _page_key(account, viewer, panels, timeline),
        lambda: render_template(
            "accounts/account.html",
            account=account,
            panels=_panel_html(account, panels),
            timeline=timeline,
        ),
    )


def _page_key(account, viewer, panels, timeline) -> tuple | None:
    """What the account page shows that depends on who reads it, with the
    account's versions (``fragments.render_page``): each panel's key (what
    the reader may see or do there), the timeline's events as the reader sees
    them, whether they may edit the account and whether they watch it. None
    (rendered for this reader alone) when a panel depends on who reads it."""
    if any(p.key is None for p in panels):
        return None
    watching = current_app.jinja_env.globals.get("watching_now")
    return (
        account.id,
        versions.read((versions.account(account.id), versions.ALL)),
        tuple((p.template, p.key) for p in panels),
        tuple(timeline.events),
        timeline.older,
        permissions.can_edit_account(viewer, account),
        watching("account", account.id) if watching else None,
    )


@bp.route("/accounts/<int:account_id>/timeline")
def view_timeline(account_id: int):
    account = service.get_account(account_id)
    before = account_timeline.parse_cursor(request.args.get("before"))
    timeline = account_timeline.collect(
        account, current_user._get_current_object(), before=before
    )
    return render_template(
        "accounts/timeline.html", account=account, timeline=timeline, before=before
    )


@bp.route("/accounts/new", methods=["GET", "POST"])
def new_account():
    require(permissions.can_create_account(current_user))
    form = AccountForm()
    status = 200
    if form.validate_on_submit():
        try:
            account = service.create_account(
                form.name.data,
                form.crm_ref.data,
                industry=form.industry.data,
                region=form.region.data,
                tier=form.tier.data,
                status=form.status.data,
                account_manager=form.account_manager.data,
                description=form.description.data,
                actor=current_user._get_current_object(),
            )
        except DomainError as e:
            db.session.rollback()
            attach_to_form(form, e)
            status = e.status
        else:
            db.session.commit()
            flash(_("Account %(name)s created.", name=account.name), "success")
            return redirect(account.url)
    elif request.method == "POST":
        status = 400
    return render_template("accounts/form.html", form=form, account=None), status


@bp.route("/accounts/<int:account_id>/edit", methods=["GET", "POST"])
def edit_account(account_id: int):
    account = service.get_account(account_id)
    require(permissions.can_edit_account(current_user, account))
    form = AccountForm(obj=account)
    if request.method == "GET":
        form.account_manager.data = (
            account.account_manager.username if account.account_manager else ""
        )
    status = 200
    if form.validate_on_submit():
        try:
            service.update_account(
                account,
                current_user._get_current_object(),
                name=form.name.data,
                crm_ref=form.crm_ref.data,
                industry=form.industry.data,
                region=form.region.data,
                tier=form.tier.data,
                status=form.status.data,
                account_manager=form.account_manager.data,
                description=form.description.data,
            )
        except DomainError as e:
            db.session.rollback()
            attach_to_form(form, e)
            status = e.status
        else:
            db.session.commit()
            flash(_("Account %(name)s saved.", name=account.name), "success")
            return redirect(account.url)
    elif request.method == "POST":
        status = 400
    return render_template("accounts/form.html", form=form, account=account), status


@bp.route("/accounts/import", methods=["GET", "POST"])
def import_accounts():
    require(permissions.can_import_accounts(current_user))
    form = ImportForm()
    report = None
    status = 200
    if form.validate_on_submit():
        try:
            report = import_csv(
                form.file.data.read(),
                actor=current_user._get_current_object(),
                dry_run=form.dry_run.data,
            )
        except DomainError as e:
            db.session.rollback()
            attach_to_form(form, e)
            status = e.status
        else:
            if report.dry_run:
                db.session.rollback()
            else:
                db.session.commit()
    elif request.method == "POST":
        status = 400
    return render_template("accounts/import.html", form=form, report=report), status
