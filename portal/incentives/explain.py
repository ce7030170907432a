"""Each ledger row in words, linked to what earned it.

Sources the viewer may not read (a thread in another department's forum, a
deleted page) are named without their title or link.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from markupsafe import Markup, escape

from portal.extensions import db
from portal.forums import permissions as forum_permissions
from portal.forums.models import Post, Thread
from portal.incentives import rules as rules_module
from portal.incentives.labels import reason_label
from portal.incentives.models import PointEntry
from portal.wiki import permissions as wiki_permissions
from portal.wiki.models import Page, Revision


@dataclass(frozen=True)
class Explained:
    entry: PointEntry
    text: Markup
    url: str | None


def _link(title: str, url: str) -> Markup:
    return Markup('<a href="{}">{}</a>').format(url, title)


def _ids(entries, pattern: str, index: int) -> set[int]:
    out = set()
    for e in entries:
        parts = e.key.split(":")
        if parts[0] == pattern and len(parts) > index and parts[index].isdigit():
            out.add(int(parts[index]))
    return out


class _Sources:
    """Every post, page and revision the rows point at, loaded in three queries."""

    def __init__(self, entries, viewer):
        self.viewer = viewer
        post_ids = {e.source_id for e in entries if e.source_type == "post"}
        post_ids |= _ids(entries, "cite", 1)
        page_ids = {e.source_id for e in entries if e.source_type == "page"}
        page_ids |= _ids(entries, "link", 1)
        self.posts = {
            p.id: p
            for p in db.session.scalars(
                sa.select(Post)
                .where(Post.id.in_(post_ids))
                .options(sa.orm.joinedload(Post.thread).joinedload(Thread.forum))
            )
        }
        self.pages = {
            p.id: p
            for p in db.session.scalars(sa.select(Page).where(Page.id.in_(page_ids)))
        }
        revision_ids = _ids(entries, "revision", 1)
        self.revisions = {
            r.id: r.number
            for r in db.session.execute(
                sa.select(Revision.id, Revision.number).where(
                    Revision.id.in_(revision_ids)
                )
            )
        }

    def thread(self, post_id: int) -> tuple[Markup, str | None]:
        post = self.posts.get(post_id)
        if post is None:
            return escape(_("a post that no longer exists")), None
        if not forum_permissions.can_read_thread(self.viewer, post.thread):
            return escape(_("a restricted thread")), None
        return _link(post.thread.title, post.url), post.url

    def page(self, page_id: int) -> tuple[Markup, str | None]:
        page = self.pages.get(page_id)
        if page is None:
            return escape(_("a page that no longer exists")), None
        if not wiki_permissions.can_view_page(self.viewer, page):
            return escape(_("a deleted page")), None
        return _link(page.title, page.url), page.url


def _award_text(entry: PointEntry, src: _Sources) -> tuple[Markup, str | None]:
    rule, key = entry.rule, entry.key
    parts = key.split(":")
    if entry.source_type == "post":
        thread, url = src.thread(entry.source_id)
        template = {
            "answer_posted": _("You answered %(thread)s"),
            "answer_upvoted": _("Your answer in %(thread)s was upvoted"),
            "question_upvoted": _("Your question %(thread)s was upvoted"),
            "post_downvoted": _("Your post in %(thread)s was downvoted"),
            "downvote_cast": _("You downvoted an answer in %(thread)s"),
            "answer_accepted": _("Your answer in %(thread)s was accepted"),
            "accepted_asker": _("You accepted an answer to %(thread)s"),
        }.get(rule)
        if template:
            return escape(template) % {"thread": thread}, url
    if entry.source_type == "page":
        page, url = src.page(entry.source_id)
        if rule == "wiki_revision" and parts[0] == "revision":
            number = src.revisions.get(int(parts[1])) if parts[1].isdigit() else None
            if url and number:
                url = f"{url}/revisions/{number}"
            return escape(_("Your revision %(number)s of %(page)s")) % {
                "number": number or "?",
                "page": page,
            }, url
        if rule == "page_validated":
            return escape(_("%(page)s, which you mainly wrote, was validated")) % {
                "page": page
            }, url
        if rule == "thread_written_up":
            return escape(_("Your posts were written up as %(page)s")) % {
                "page": page
            }, url
        if rule == "page_used" and parts[0] == "link" and parts[1].isdigit():
            other, other_url = src.page(int(parts[1]))
            return escape(_("Your page %(page)s is linked from %(other)s")) % {
                "page": page,
                "other": other,
            }, other_url or url
        if rule == "page_used" and parts[0] == "cite" and parts[1].isdigit():
            thread, thread_url = src.thread(int(parts[1]))
            return escape(
                _("Your page %(page)s is linked from a post in %(thread)s")
            ) % {"page": page, "thread": thread}, thread_url or url
    try:
        label = rules_module.rule(rule).label
    except Exception:  # a rule of a package that is gone: show its key
        label = rule
    return escape(label), None


def explain(entries: list[PointEntry], viewer) -> list[Explained]:
    """Return each row with its explanation and the address of its source."""
    src = _Sources(entries, viewer)
    out = []
    for entry in entries:
        text, url = _award_text(entry, src)
        if entry.reversal:
            text = escape(_("Reversed, %(reason)s: %(what)s")) % {
                "reason": reason_label(entry.reason),
                "what": text,
            }
        if entry.capped:
            text += Markup(" ") + escape(_("(daily cap on points from votes reached)"))
        out.append(Explained(entry, text, url))
    return out
