"""Badges: bronze, silver and gold, earned by what people's knowledge did.

Each badge is a counter and a threshold. Counters read the content where it
says what happened (accepted answers, revisions) and the ledger where only the
ledger knows (write-ups, handovers). Badges are checked by the handlers after
the events that can earn them, and by ``recompute``; once earned, kept.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.extensions import db
from portal.forums.models import Forum, Post, Thread, thread_accounts
from portal.incentives import rules as rules_module
from portal.incentives.ledger import _begin, live_awards
from portal.incentives.models import PointEntry, UserBadge
from portal.wiki.models import Page, Revision

LEVELS = ("bronze", "silver", "gold")


@dataclass(frozen=True)
class Badge:
    key: str
    level: str
    name: object  # lazy string
    description: object
    counter: str
    threshold: int


BADGES: dict[str, Badge] = {}


def register_badge(badge: Badge) -> Badge:
    """Declare a badge (other packages call this from their ``init_app``)."""
    if badge.level not in LEVELS:
        raise ValueError(f"unknown badge level {badge.level!r}")
    BADGES[badge.key] = badge
    return badge


# --- counters ------------------------------------------------------------------------


def _accepted_answers():
    """A select of (thread id, answerer id) for accepted answers that count."""
    return (
        sa.select(Thread.id, Post.author_id)
        .join(Post, Post.id == Thread.accepted_post_id)
        .join(Forum, Forum.id == Thread.forum_id)
        .where(
            Thread.deleted_at.is_(None),
            Post.deleted_at.is_(None),
            Forum.kind == "questions",
            Post.author_id != Thread.author_id,
        )
    )


def count_accepted(user_id: int) -> int:
    sub = _accepted_answers().where(Post.author_id == user_id).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(sub))


def count_accounts(user_id: int) -> int:
    """Count the accounts of the threads where ``user_id``'s answer was accepted."""
    threads = _accepted_answers().where(Post.author_id == user_id).subquery()
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(thread_accounts.c.account_id))).where(
            thread_accounts.c.thread_id.in_(sa.select(threads.c.id))
        )
    )


def count_pages_revised(user_id: int) -> int:
    minimum = int(rules_module.setting("revision_min_size"))
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Revision.page_id)))
        .join(Page, Page.id == Revision.page_id)
        .where(
            Revision.author_id == user_id,
            Revision.change_size >= minimum,
            Page.deleted_at.is_(None),
        )
    )


def _ledger_counter(rule: str):
    def count(user_id: int) -> int:
        sub = (
            live_awards()
            .where(PointEntry.user_id == user_id, PointEntry.rule == rule)
            .subquery()
        )
        return db.session.scalar(sa.select(sa.func.count()).select_from(sub))

    return count


COUNTERS = {
    "accepted": count_accepted,
    "accounts": count_accounts,
    "pages_revised": count_pages_revised,
    "validated": _ledger_counter("page_validated"),
    "writeups": _ledger_counter("thread_written_up"),
    "reused": _ledger_counter("page_used"),
    "handover": _ledger_counter("handover_item_completed"),
}

# fmt: off
for _badge in (
    Badge("helper", "bronze", _l("Helper"),
          _l("Had a first answer accepted."), "accepted", 1),
    Badge("advisor", "silver", _l("Advisor"),
          _l("Had ten answers accepted."), "accepted", 10),
    Badge("oracle", "gold", _l("Oracle"),
          _l("Had fifty answers accepted."), "accepted", 50),
    Badge("account_expert", "silver", _l("Account expert"),
          _l("Had answers accepted about three or more customer accounts."),
          "accounts", 3),
    Badge("scribe", "bronze", _l("Scribe"),
          _l("Made a first substantial wiki revision."), "pages_revised", 1),
    Badge("wiki_gardener", "silver", _l("Wiki gardener"),
          _l("Made substantial revisions to ten wiki pages."), "pages_revised", 10),
    Badge("knowledge_author", "gold", _l("Knowledge author"),
          _l("Was the main author of five validated pages."), "validated", 5),
    Badge("storyteller", "bronze", _l("Storyteller"),
          _l("Had posts written up as a wiki page."), "writeups", 1),
    Badge("librarian", "silver", _l("Librarian"),
          _l("Had pages linked by colleagues ten times."), "reused", 10),
    Badge("knowledge_keeper", "gold", _l("Knowledge keeper"),
          _l("Completed five handover items before moving on."), "handover", 5),
):
    register_badge(_badge)
# fmt: on


# --- awarding ------------------------------------------------------------------------


def earned(user_id: int) -> set[str]:
    return set(
        db.session.scalars(
            sa.select(UserBadge.badge).where(UserBadge.user_id == user_id)
        )
    )


def check(user_id: int | None) -> list[str]:
    """Award ``user_id`` the badges they now qualify for; return the new ones."""
    if user_id is None:
        return []
    have = earned(user_id)
    counts: dict[str, int] = {}
    new = []
    for badge in BADGES.values():
        if badge.key in have:
            continue
        if badge.counter not in counts:
            counts[badge.counter] = COUNTERS[badge.counter](user_id)
        if counts[badge.counter] >= badge.threshold and _give(user_id, badge.key):
            new.append(badge.key)
    return new


def _give(user_id: int, key: str) -> bool:
    _begin()
    try:
        with db.session.begin_nested():
            db.session.add(
                UserBadge(user_id=user_id, badge=key, awarded_at=clock.now())
            )
    except IntegrityError:
        return False  # earned a moment ago in another request
    return True


def badges_of(user_id: int) -> list[tuple[Badge, object]]:
    """Return ``(badge, awarded_at)`` for ``user_id``, gold first."""
    rows = db.session.execute(
        sa.select(UserBadge.badge, UserBadge.awarded_at).where(
            UserBadge.user_id == user_id
        )
    ).all()
    found = [(BADGES[key], when) for key, when in rows if key in BADGES]
    return sorted(found, key=lambda bw: (-LEVELS.index(bw[0].level), bw[1]))
