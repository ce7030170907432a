"""Finding and creating tags from what people type."""

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from portal import signals
from portal.errors import Invalid, NotFound
from portal.extensions import db
from portal.markup import slugify
from portal.tags.models import Tag

MAX_TAGS = 10
MAX_LENGTH = 40
_SPLIT = re.compile(r"[,，、;；\n]+")


def parse(text: str | list[str] | None) -> list[str]:
    """Return the tag names in ``text`` (comma-separated, Chinese commas too).

    :raises Invalid: when there are too many, or one is too long or has no
        letters or digits.
    """
    items = text if isinstance(text, list) else _SPLIT.split(text or "")
    names, seen = [], set()
    for item in items:
        name = " ".join(str(item).split()).lstrip("#")
        if not name:
            continue
        if len(name) > MAX_LENGTH:
            raise Invalid(
                _("A tag is at most %(n)d characters: %(tag)s", n=MAX_LENGTH, tag=name),
                details={"field": "tags"},
            )
        if not slugify(name):
            raise Invalid(
                _("A tag needs letters or digits: %(tag)s", tag=name),
                details={"field": "tags"},
            )
        if name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    if len(names) > MAX_TAGS:
        raise Invalid(_("At most %(n)d tags.", n=MAX_TAGS), details={"field": "tags"})
    return names


def get_or_create(names: list[str]) -> list[Tag]:
    """Return the tags called ``names``, creating the missing ones (flushed)."""
    if not names:
        return []
    keys = [n.lower() for n in names]
    existing = {
        t.key: t for t in db.session.scalars(sa.select(Tag).where(Tag.key.in_(keys)))
    }
    tags = []
    for name, key in zip(names, keys, strict=True):
        tag = existing.get(key)
        if tag is None:
            tag = Tag(name=name, key=key, slug=_unique_slug(slugify(name)[:70]))
            db.session.add(tag)
            db.session.flush()
            existing[key] = tag
        tags.append(tag)
    return tags


def tags_from_text(text: str | list[str] | None) -> list[Tag]:
    """Parse and get-or-create in one step."""
    return get_or_create(parse(text))


def _unique_slug(slug: str) -> str:
    candidate, n = slug, 2
    while db.session.scalar(sa.select(Tag.id).where(Tag.slug == candidate)):
        candidate = f"{slug}-{n}"
        n += 1
    return candidate


def hidden_ids(viewer, among: set[int] | None = None) -> set[int]:
    """Return the ids of the tags ``viewer`` may not learn of (only those in
    ``among``, if given).

    A tag's name is content: one used only on a restricted forum's threads is
    not shown outside it. Packages say where tags are used over
    ``signals.restricted_tags`` and ``signals.tag_uses``.
    """
    hidden: set[int] = set()
    for _receiver, ids in signals.restricted_tags.send(viewer, tag_ids=among):
        hidden |= set(ids or ())
    if hidden:
        for _receiver, ids in signals.tag_uses.send(viewer, tag_ids=set(hidden)):
            hidden -= set(ids or ())
    return hidden


def get_by_slug(slug: str, viewer=None) -> Tag:
    """Return the tag with this slug; with ``viewer``, only one they may see.

    :raises NotFound: when no tag has this slug (or the viewer may not see it).
    """
    tag = db.session.scalar(sa.select(Tag).where(Tag.slug == slug))
    if tag is None or (viewer is not None and hidden_ids(viewer, {tag.id})):
        raise NotFound(_("There is no tag %(tag)s.", tag=slug))
    return tag


def visible(viewer):
    """Return a ``select(Tag)`` of the tags ``viewer`` may see."""
    stmt = sa.select(Tag)
    hidden = hidden_ids(viewer)
    return stmt.where(Tag.id.not_in(hidden)) if hidden else stmt


def search(prefix: str, viewer, limit: int = 10) -> list[Tag]:
    """Return tags ``viewer`` may see whose name starts with ``prefix``
    (for autocompletion)."""
    prefix = (prefix or "").strip().lower()
    if not prefix:
        return []
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return list(
        db.session.scalars(
            visible(viewer)
            .where(Tag.key.like(f"{escaped}%", escape="\\"))
            .order_by(Tag.key)
            .limit(limit)
        )
    )
