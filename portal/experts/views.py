"""Find an expert, edit one's declared expertise, endorse, and ask experts."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import service as accounts_service
from portal.accounts.models import CustomerAccount
from portal.auth.models import User
from portal.auth.permissions import require
from portal.errors import DomainError, Invalid, NotFound, attach_to_form
from portal.experts import ranking, service
from portal.experts.forms import ActionForm, ProfileForm, SkillForm
from portal.extensions import db
from portal.tags.models import Tag

bp = Blueprint("experts", __name__)

MAX_QUERY = 200
RESULTS = 10


def _viewer():
    return current_user._get_current_object()


def _account(value: str | None):
    """The account a search is limited to: an id or a CRM reference.

    :raises NotFound: when there is no such account.
    """
    value = (value or "").strip()
    if not value:
        return None
    account = None
    if value.isdigit():
        account = db.session.get(CustomerAccount, int(value))
    if account is None:
        account = accounts_service.find_by_ref(value)
    if account is None:
        raise NotFound(_("There is no customer account %(ref)s.", ref=value))
    return account


def _tag(slug: str | None):
    slug = (slug or "").strip()
    if not slug:
        return None
    tag = db.session.scalar(sa.select(Tag).where(Tag.slug == slug))
    if tag is None:
        raise NotFound(_("There is no tag %(slug)s.", slug=slug))
    return tag


@bp.route("/experts")
def find_experts():
    """``?q=`` free text, ``?tag=`` a tag's slug, ``?account=`` an id or CRM ref."""
    args = request.args
    q = args.get("q", "")[:MAX_QUERY]
    searched = any(k in args for k in ("q", "tag", "account"))
    tag = _tag(args.get("tag"))
    account = _account(args.get("account"))
    results, error, status = [], None, 200
    if searched:
        try:
            results = ranking.rank(
                q, tag=tag, account=account, viewer=_viewer(), limit=RESULTS
            )
        except Invalid as e:
            error, status = e.message, 400
    return render_template(
        "experts/find.html",
        q=q,
        tag=tag,
        account=account,
        searched=searched,
        results=results,
        error=error,
        availability=service.availabilities([s.user for s in results]),
    ), status


def _person(username: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise NotFound(_("There is no person %(name)s.", name=username))
    return user


def _fill(form: ProfileForm, profile, user: User) -> None:
    form.ask_me_about.data = profile.ask_me_about
    form.availability.data = profile.availability or "available"
    form.away_until.data = (
        profile.away_until.date().isoformat() if profile.away_until else ""
    )
    form.accounts.data = ", ".join(
        a.crm_ref
        for a in service.work_accounts(user)
        if a.account_manager_id != user.id
    )


@bp.route("/experts/people/<username>/edit", methods=["GET", "POST"])
def edit_expertise(username: str):
    user = _person(username)
    viewer = _viewer()
    require(service.can_edit_expertise(viewer, user))
    profile = service.profile_of(user)
    form = ProfileForm(prefix="profile")
    skill_form = SkillForm(prefix="skill")
    status = 200
    if request.method == "GET":
        _fill(form, profile, user)
    elif "skill-tag" in request.form:
        # Only the skill was sent: show the saved profile beside it.
        _fill(form, profile, user)
        if skill_form.validate_on_submit():
            try:
                skill = service.add_skill(
                    user, viewer, skill_form.tag.data, skill_form.level.data
                )
                db.session.commit()
                flash(_("Skill saved: %(tag)s.", tag=skill.tag.name), "success")
                return redirect(url_for(".edit_expertise", username=username), 303)
            except DomainError as e:
                db.session.rollback()
                attach_to_form(skill_form, e)
        status = 400
    else:
        if form.validate_on_submit():
            try:
                service.update_profile(
                    user,
                    viewer,
                    ask_me_about=form.ask_me_about.data,
                    availability=form.availability.data,
                    away_until=form.away_until.data,
                    accounts=form.accounts.data or "",
                )
                db.session.commit()
                flash(_("Your expertise is saved."), "success")
                return redirect(url_for("auth.profile", username=username), 303)
            except DomainError as e:
                db.session.rollback()
                attach_to_form(form, e)
        status = 400
    return render_template(
        "experts/edit.html",
        user=user,
        form=form,
        skill_form=skill_form,
        skills=service.skills_of(user),
        action=ActionForm(),
    ), status


def _back(default: str) -> str:
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


@bp.route("/experts/skills/<int:skill_id>/remove", methods=["POST"])
def remove_skill(skill_id: int):
    skill = service.get_skill(skill_id)
    username = skill.user.username
    service.remove_skill(skill, _viewer())
    db.session.commit()
    flash(_("Skill removed."), "success")
    return redirect(url_for(".edit_expertise", username=username), 303)


@bp.route("/experts/skills/<int:skill_id>/endorse", methods=["POST"])
def endorse_skill(skill_id: int):
    skill = service.get_skill(skill_id)
    owner = skill.user
    viewer = _viewer()
    if request.form.get("action") == "withdraw":
        service.withdraw_endorsement(skill, viewer)
        message = _("Endorsement withdrawn.")
    else:
        service.endorse(skill, viewer)
        message = _(
            "You endorsed %(name)s for %(tag)s.",
            name=owner.display_name,
            tag=skill.tag.name,
        )
    db.session.commit()
    flash(message, "success")
    return redirect(_back(url_for("auth.profile", username=owner.username)), 303)


@bp.route("/experts/people/<username>/topics/<int:tag_id>", methods=["POST"])
def hide_topic(username: str, tag_id: int):
    """ "Not me" (``action=hide``) or show again (``action=show``)."""
    user = _person(username)
    tag = db.session.get(Tag, tag_id)
    if tag is None:
        raise NotFound(_("There is no such tag."))
    if request.form.get("action") == "show":
        service.show_topic(user, _viewer(), tag)
        message = _("%(tag)s is used for your expertise again.", tag=tag.name)
    else:
        service.hide_topic(user, _viewer(), tag)
        message = _(
            "%(tag)s is hidden: nobody will be sent to you for it.", tag=tag.name
        )
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("auth.profile", username=username), 303)


@bp.route("/experts/ask/<int:thread_id>", methods=["POST"])
def ask_expert(thread_id: int):
    """Route a question thread to the best available experts for it."""
    viewer = _viewer()
    thread = service.get_question(thread_id, viewer)
    req = service.ask(thread, viewer)
    names = ", ".join(r.user.display_name for r in req.routings)
    db.session.commit()
    if names:
        flash(_("Asked %(names)s. They have been notified.", names=names), "success")
    else:
        flash(
            _(
                "Nobody available knows this topic yet; the question goes to the "
                "account manager if it stays unanswered."
            ),
            "warning",
        )
    return redirect(thread.url, 303)
