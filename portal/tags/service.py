"""Finding and creating tags from what people type."""

import re

import sqlalchemy as sa
from flask_babel import gettext as _

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


def get_by_slug(slug: str) -> Tag:
    """:raises NotFound: when no tag has this slug."""
    tag = db.session.scalar(sa.select(Tag).where(Tag.slug == slug))
    if tag is None:
        raise NotFound(_("There is no tag %(tag)s.", tag=slug))
    return tag


def search(prefix: str, limit: int = 10) -> list[Tag]:
    """Return tags whose name starts with ``prefix`` (for autocompletion)."""
    prefix = (prefix or "").strip().lower()
    if not prefix:
        return []
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return list(
        db.session.scalars(
            sa.select(Tag)
            .where(Tag.key.like(f"{escaped}%", escape="\\"))
            .order_by(Tag.key)
            .limit(limit)
        )
    )
