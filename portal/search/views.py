"""The search page and the similar-threads lookup used while asking."""

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.models import CustomerAccount
from portal.auth.models import User
from portal.extensions import db
from portal.search import service
from portal.tags.models import Tag

bp = Blueprint("search", __name__, url_prefix="/search")


def _user():
    return current_user._get_current_object()


def _date(value: str, errors: dict, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = _("Enter a date as YYYY-MM-DD, e.g. 2026-03-31.")
        return None


def _account(value: str, errors: dict) -> CustomerAccount | None:
    if not value:
        return None
    where = [
        CustomerAccount.crm_ref == value,
        sa.func.lower(CustomerAccount.name) == value.lower(),
    ]
    if value.isdigit():
        where.append(CustomerAccount.id == int(value))
    account = db.session.scalars(
        sa.select(CustomerAccount).where(sa.or_(*where)).limit(1)
    ).first()
    if account is None:
        errors["account"] = _("No account is named “%(name)s”.", name=value)
    return account


def _author(value: str, errors: dict) -> User | None:
    if not value:
        return None
    name = value.lstrip("@")
    user = db.session.scalars(
        sa.select(User)
        .where(
            sa.or_(
                User.username == name.lower(),
                sa.func.lower(User.display_name) == name.lower(),
            )
        )
        .limit(1)
    ).first()
    if user is None:
        errors["author"] = _("Nobody is called “%(name)s”.", name=value)
    return user


def _tag(value: str, errors: dict) -> Tag | None:
    if not value:
        return None
    tag = db.session.scalars(
        sa.select(Tag)
        .where(sa.or_(Tag.slug == value.lower(), Tag.key == value.lower()))
        .limit(1)
    ).first()
    if tag is None:
        errors["tag"] = _("There is no tag “%(name)s”.", name=value)
    return tag


@bp.get("")
def search():
    args = request.args
    form = {
        name: args.get(name, "").strip()
        for name in ("q", "kind", "account", "tag", "author", "since", "until", "sort")
    }
    errors: dict[str, str] = {}
    labels = service.kind_labels()
    if form["kind"] and form["kind"] not in labels:
        errors["kind"] = _("Choose one of the kinds listed.")
    if form["sort"] and form["sort"] not in service.SORTS:
        errors["sort"] = _("Sort by relevance or by date.")
    account = _account(form["account"], errors)
    tag = _tag(form["tag"], errors)
    author = _author(form["author"], errors)
    since = _date(form["since"], errors, "since")
    until = _date(form["until"], errors, "until")
    if since and until and since > until:
        errors["until"] = _("The end date is before the start date.")
    page = args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1
    results = None
    if not errors:
        results = service.query(
            form["q"],
            _user(),
            kinds=[form["kind"]] if form["kind"] else None,
            account_id=account.id if account else None,
            tag=tag.slug if tag else None,
            author_id=author.id if author else None,
            since=since,
            until=until,
            sort=form["sort"] or "relevance",
            page=page,
        )
    filtered = any(
        form[k] for k in ("kind", "account", "tag", "author", "since", "until")
    )
    return (
        render_template(
            "search/search.html",
            q=form["q"],
            form=form,
            errors=errors,
            results=results,
            kind_labels=labels,
            filtered=filtered,
        ),
        400 if errors else 200,
    )


@bp.get("/similar")
def similar():
    """Threads with titles like ``?title=``: JSON for the new-thread form."""
    title = request.args.get("title", "")
    hits = service.similar_threads(title, _user(), limit=5)
    return jsonify(
        {
            "results": [
                {
                    "title": hit.title,
                    "url": hit.url,
                    "answered": hit.resolved or bool(hit.meta.get("replies")),
                    "resolved": hit.resolved,
                }
                for hit in hits
            ]
        }
    )
