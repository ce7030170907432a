"""The wiki's pages: view, create, edit with preview and conflicts, history and
diffs, rename, links here, states, delete and restore, recent changes, and the
account profile editor."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.service import get_account
from portal.auth.models import User
from portal.auth.permissions import require
from portal.errors import DomainError, attach_to_form, flash_error
from portal.extensions import db
from portal.tags.models import Tag
from portal.wiki import labels, page_templates, permissions, service, writeup
from portal.wiki.diff import diff as make_diff
from portal.wiki.forms import (
    ConfirmForm,
    EditPageForm,
    NewPageForm,
    ProfileForm,
    RenameForm,
)
from portal.wiki.models import STATES, Page

bp = Blueprint("wiki", __name__)

HISTORY_PER_PAGE = 50
RECENT_PER_PAGE = 50


def _user():
    return current_user._get_current_object()


def _per_page() -> int:
    return current_app.config.get("PER_PAGE", 30)


def _load(slug: str) -> Page:
    """Return the page ``slug`` for the current view, or leave the view.

    A former slug sends a GET to the same view under the new slug (301); a
    page the viewer may not see is a 404.
    """
    page = service.find_page(slug)
    if page is None:
        target = service.redirect_target(slug)
        if target is None or not permissions.can_view_page(current_user, target):
            abort(404)
        if request.method != "GET":
            return target
        args = {**request.view_args, "slug": target.slug, **request.args.to_dict()}
        abort(redirect(url_for(request.endpoint, **args), 301))
    if not permissions.can_view_page(current_user, page):
        abort(404)
    return page


def _wants_preview() -> bool:
    return request.form.get("action") == "preview"


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() else None


# --- reading --------------------------------------------------------------------------


def _unknown_filter(*names: str) -> bool:
    """Tell whether a filter in the address names nothing that exists.

    Such a filter matches nothing; ignoring it would show everything instead.
    """
    resolvers = {"tag": _tag_arg, "account": _account_arg, "person": _person_arg}
    return any(
        request.args.get(name, "").strip() and resolvers[name]() is None
        for name in names
    )


@bp.route("/wiki")
def list_pages():
    tag = _tag_arg()
    account = _account_arg()
    state = request.args.get("state", "")
    if state not in STATES:
        state = ""
    stmt = service.list_pages(
        tag=tag, account_id=account.id if account else None, state=state or None
    )
    if _unknown_filter("tag", "account"):
        stmt = stmt.where(sa.false())
    page = db.paginate(stmt, per_page=_per_page(), error_out=False)
    return render_template(
        "wiki/list.html",
        page=page,
        tag=tag,
        account=account,
        state=state,
        states=STATES,
        filtered=bool(tag or account or state) or _unknown_filter("tag", "account"),
    )


def _tag_arg() -> Tag | None:
    slug = request.args.get("tag", "").strip()
    if not slug:
        return None
    return db.session.scalar(sa.select(Tag).where(Tag.slug == slug))


def _account_arg():
    account_id = _int_arg("account")
    if account_id is None:
        return None
    try:
        return get_account(account_id)
    except DomainError:
        return None


def _person_arg() -> User | None:
    username = request.args.get("person", "").strip()
    if not username:
        return None
    return db.session.scalar(sa.select(User).where(User.username == username))


@bp.route("/wiki/<slug>")
def view_page(slug: str):
    page = service.find_page(slug)
    if page is None or not permissions.can_view_page(current_user, page):
        target = service.redirect_target(slug)
        if target is not None and permissions.can_view_page(current_user, target):
            return redirect(target.url, 301)
        return render_template("wiki/missing.html", slug=slug), 404
    due = service.review_due(page)
    thread = writeup.source_thread(page)
    if thread is not None and not _can_read_thread(thread):
        thread = None
    return render_template(
        "wiki/page.html",
        page=page,
        source_thread=thread,
        revision=page.current_revision,
        review_due=due,
        reviewer=service.reviewer(page) if due else None,
        states=permissions.allowed_states(current_user, page),
        confirm=ConfirmForm(),
    )


def _can_read_thread(thread) -> bool:
    from portal.forums.permissions import can_read_thread

    return can_read_thread(current_user, thread)


@bp.route("/wiki/<slug>/revisions/<int:number>")
def view_revision(slug: str, number: int):
    page = _load(slug)
    revision = service.get_revision(page, number)
    return render_template(
        "wiki/revision.html", page=page, revision=revision, confirm=ConfirmForm()
    )


@bp.route("/wiki/<slug>/history")
def page_history(slug: str):
    page = _load(slug)
    revisions = db.paginate(
        service.history(page), per_page=HISTORY_PER_PAGE, error_out=False
    )
    return render_template(
        "wiki/history.html", page=page, revisions=revisions, confirm=ConfirmForm()
    )


@bp.route("/wiki/<slug>/diff")
def diff_page(slug: str):
    page = _load(slug)
    current = page.current_revision.number
    to_number = _int_arg("to") or current
    from_number = _int_arg("from")
    if from_number is None:
        from_number = to_number - 1
    new = service.get_revision(page, to_number)
    old = service.get_revision(page, from_number) if from_number > 0 else None
    result = make_diff(old.body if old else "", new.body)
    return render_template(
        "wiki/diff.html",
        page=page,
        old=old,
        new=new,
        diff=result,
        current=current,
    )


@bp.route("/wiki/<slug>/links-here")
def links_here(slug: str):
    page = _load(slug)
    linking = db.paginate(service.backlinks(page), per_page=50, error_out=False)
    return render_template("wiki/links_here.html", page=page, linking=linking)


@bp.route("/wiki/recent")
def recent_changes():
    person = _person_arg()
    account = _account_arg()
    tag = _tag_arg()
    number = max(_int_arg("page") or 1, 1)
    stmt = service.recent_changes(
        person=person, account_id=account.id if account else None, tag=tag
    )
    unknown = _unknown_filter("person", "account", "tag")
    if unknown:
        stmt = stmt.where(sa.false())
    # No total: counting every revision on each visit costs more than it tells.
    rows = list(
        db.session.scalars(
            stmt.limit(RECENT_PER_PAGE + 1).offset((number - 1) * RECENT_PER_PAGE)
        )
    )
    return render_template(
        "wiki/recent.html",
        revisions=rows[:RECENT_PER_PAGE],
        has_next=len(rows) > RECENT_PER_PAGE,
        number=number,
        person=person,
        account=account,
        tag=tag,
        args={
            k: v for k, v in request.args.items() if k in ("person", "account", "tag")
        },
        filtered=bool(person or account or tag) or unknown,
    )


# --- writing --------------------------------------------------------------------------


@bp.route("/wiki/new", methods=["GET", "POST"])
def new_page():
    require(permissions.can_create_page(current_user))
    form = NewPageForm()
    template_key = request.args.get("template", "")
    if request.method == "GET":
        form.title.data = request.args.get("title", "")
        form.body.data = page_templates.skeleton(template_key)
    status = 200
    preview_html = None
    existing = None
    if form.validate_on_submit():
        try:
            if _wants_preview():
                preview_html = service.preview(form.body.data)
            else:
                page = service.create_page(
                    form.title.data,
                    form.body.data,
                    _user(),
                    summary=form.summary.data,
                    tags=form.tags.data or "",
                    accounts=form.accounts.data or "",
                    state=form.state.data,
                )
                db.session.commit()
                flash(_("Page “%(title)s” created.", title=page.title), "success")
                return redirect(page.url)
        except DomainError as e:
            db.session.rollback()
            attach_to_form(form, e)
            status = e.status
            if e.details.get("url"):
                existing = e.details
    elif request.method == "POST":
        status = 400
    elif form.title.data:
        try:
            _title, slug = service.clean_title(form.title.data)
        except DomainError:
            slug = None
        owner = service.slug_owner(slug) if slug else None
        if owner is not None and permissions.can_view_page(current_user, owner):
            existing = {"url": owner.url, "title": owner.title}
    return render_template(
        "wiki/new.html",
        form=form,
        preview_html=preview_html,
        existing=existing,
        templates=page_templates.choices(),
        template_key=template_key,
    ), status


@bp.route("/wiki/<slug>/edit", methods=["GET", "POST"])
def edit_page(slug: str):
    page = _load(slug)
    require(permissions.can_edit_page(current_user, page))
    form = EditPageForm()
    current = page.current_revision
    if request.method == "GET":
        form.body.data = current.body
        form.base_revision.data = str(current.number)
        form.tags.data = ", ".join(t.name for t in page.tags)
        form.accounts.data = service.accounts_text(page.accounts)
    status = 200
    preview_html = None
    conflict = None
    if form.validate_on_submit():
        try:
            if _wants_preview():
                preview_html = service.preview(form.body.data)
            else:
                revision = service.edit_page(
                    page,
                    form.body.data,
                    _user(),
                    base_revision=form.base_revision.data,
                    summary=form.summary.data,
                    tags=form.tags.data or "",
                    accounts=form.accounts.data or "",
                )
                db.session.commit()
                if revision is None:
                    flash(_("Nothing changed, so nothing was saved."), "info")
                else:
                    flash(_("Page saved."), "success")
                return redirect(page.url)
        except service.EditConflict as e:
            db.session.rollback()
            conflict = service.conflict_view(e.page_id, e.base, e.mine)
            form.body.data = conflict.text
            form.base_revision.data = str(conflict.current.number)
            status = e.status
            page = conflict.page
        except DomainError as e:
            db.session.rollback()
            attach_to_form(form, e)
            status = e.status
    elif request.method == "POST":
        status = 400
    return render_template(
        "wiki/edit.html",
        page=page,
        form=form,
        preview_html=preview_html,
        conflict=conflict,
        conflict_diffs=_conflict_diffs(conflict),
    ), status


def _conflict_diffs(conflict):
    """Return the comparisons the conflict page shows."""
    if conflict is None:
        return {}
    diffs = {"mine": make_diff(conflict.current.body, conflict.mine)}
    if conflict.base is not None:
        diffs["theirs"] = make_diff(conflict.base.body, conflict.current.body)
    if conflict.clean:
        diffs["merged"] = make_diff(conflict.current.body, conflict.text)
    return diffs


@bp.route("/wiki/preview", methods=["POST"])
def preview():
    """Render Markdown for the editor's preview tab (JavaScript)."""
    require(permissions.can_create_page(current_user))
    try:
        html = service.preview(request.form.get("body", ""))
    except DomainError as e:
        return jsonify({"error": e.message}), e.status
    return jsonify({"html": str(html)})


@bp.route("/wiki/<slug>/revert/<int:number>", methods=["POST"])
def revert_page(slug: str, number: int):
    page = _load(slug)
    require(permissions.can_revert_page(current_user, page))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        service.revert_page(page, number, _user())
    except DomainError as e:
        db.session.rollback()
        flash_error(e)
        return redirect(url_for("wiki.page_history", slug=page.slug)), 303
    db.session.commit()
    flash(_("Reverted to revision %(n)d.", n=number), "success")
    return redirect(page.url)


@bp.route("/wiki/<slug>/rename", methods=["GET", "POST"])
def rename_page(slug: str):
    page = _load(slug)
    require(permissions.can_rename_page(current_user, page))
    form = RenameForm()
    if request.method == "GET":
        form.title.data = page.title
    status = 200
    existing = None
    if form.validate_on_submit():
        old_title = page.title
        try:
            service.rename_page(page, form.title.data, _user())
        except DomainError as e:
            db.session.rollback()
            attach_to_form(form, e)
            status = e.status
            if e.details.get("url"):
                existing = e.details
            page = _load(slug)
        else:
            db.session.commit()
            flash(
                _(
                    "Renamed from “%(old)s”; the old title still leads here.",
                    old=old_title,
                ),
                "success",
            )
            return redirect(page.url)
    elif request.method == "POST":
        status = 400
    return render_template(
        "wiki/rename.html", page=page, form=form, existing=existing
    ), status


@bp.route("/wiki/<slug>/state", methods=["POST"])
def change_state(slug: str):
    page = _load(slug)
    new_state = request.form.get("state", "")
    require(
        permissions.can_change_state(current_user, page, new_state)
        or (
            new_state == page.state
            and permissions.can_validate_page(current_user, page)
        )
    )
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        service.change_state(page, new_state, _user())
    except DomainError as e:
        db.session.rollback()
        flash_error(e)
        return redirect(page.url), 303
    db.session.commit()
    flash(
        _("The page is now: %(state)s.", state=labels.state_label(page.state)),
        "success",
    )
    return redirect(page.url)


@bp.route("/wiki/<slug>/delete", methods=["POST"])
def delete_page(slug: str):
    page = _load(slug)
    require(permissions.can_delete_page(current_user, page))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.delete_page(page, _user())
    db.session.commit()
    flash(_("Page “%(title)s” deleted.", title=page.title), "success")
    return redirect(page.url)


@bp.route("/wiki/<slug>/restore", methods=["POST"])
def restore_page(slug: str):
    page = _load(slug)
    require(permissions.can_restore_page(current_user, page))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.restore_page(page, _user())
    db.session.commit()
    flash(_("Page “%(title)s” restored.", title=page.title), "success")
    return redirect(page.url)


# --- threads written up -------------------------------------------------------------


@bp.route("/wiki/write-up/<int:thread_id>", methods=["POST"])
def write_up_thread(thread_id: int):
    from portal.forums.models import Thread

    thread = db.session.get(Thread, thread_id)
    if thread is None or not _can_read_thread(thread):
        abort(404)
    require(permissions.can_write_up_thread(current_user, thread))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        page = writeup.write_up(thread, _user())
    except DomainError as e:
        db.session.rollback()
        flash_error(e)
        return redirect(e.details.get("url") or thread.url), 303
    db.session.commit()
    flash(
        _(
            "A draft page was made from the thread. Edit it into an article and "
            "publish it."
        ),
        "success",
    )
    return redirect(url_for("wiki.edit_page", slug=page.slug))


# --- account profiles -----------------------------------------------------------------


@bp.route("/accounts/<int:account_id>/profile/edit", methods=["GET", "POST"])
def edit_profile(account_id: int):
    account = get_account(account_id)
    require(permissions.can_write_profile(current_user, account))
    page = service.profile_page(account)
    if page is not None and page.deleted:
        abort(404)
    if page is not None:
        require(permissions.can_edit_page(current_user, page))
    form = ProfileForm()
    if request.method == "GET":
        if page is None:
            form.body.data = page_templates.ACCOUNT_PROFILE
        else:
            form.body.data = page.current_revision.body
            form.base_revision.data = str(page.current_revision.number)
    status = 200
    preview_html = None
    conflict = None
    if form.validate_on_submit():
        try:
            if _wants_preview():
                preview_html = service.preview(form.body.data)
            else:
                page = service.save_profile(
                    account,
                    form.body.data,
                    _user(),
                    base_revision=form.base_revision.data,
                    summary=form.summary.data,
                )
                db.session.commit()
                flash(_("Profile of %(name)s saved.", name=account.name), "success")
                return redirect(account.url)
        except service.EditConflict as e:
            db.session.rollback()
            conflict = service.conflict_view(e.page_id, e.base, e.mine)
            form.body.data = conflict.text
            form.base_revision.data = str(conflict.current.number)
            status = e.status
            page = conflict.page
        except DomainError as e:
            db.session.rollback()
            attach_to_form(form, e)
            status = e.status
    elif request.method == "POST":
        status = 400
    return render_template(
        "wiki/profile_edit.html",
        account=account,
        page=page,
        form=form,
        preview_html=preview_html,
        conflict=conflict,
        conflict_diffs=_conflict_diffs(conflict),
    ), status
