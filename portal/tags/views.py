"""Tag pages: what each package knows under a tag, gathered over a signal."""

from flask import Blueprint, jsonify, render_template, request
from flask_login import current_user

from portal import signals
from portal.extensions import db
from portal.tags import service
from portal.tags.models import Tag

bp = Blueprint("tags", __name__)


@bp.route("/tags")
def list_tags():
    viewer = current_user._get_current_object()
    page = db.paginate(
        service.visible(viewer).order_by(Tag.key), per_page=100, error_out=False
    )
    return render_template("tags/list.html", page=page)


@bp.route("/tags/<slug>")
def view_tag(slug: str):
    tag = service.get_by_slug(slug, current_user._get_current_object())
    panels = signals.collect_panels(signals.tag_panels, tag, viewer=current_user)
    return render_template("tags/tag.html", tag=tag, panels=panels)


@bp.route("/tags/suggest")
def suggest_tags():
    tags = service.search(request.args.get("q", ""), current_user._get_current_object())
    return jsonify([{"name": t.name, "slug": t.slug} for t in tags])
