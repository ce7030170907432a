"""Who knows what: recent evidence of knowing a customer account or a tag.

This is the one place the handover package learns who knows what. It reads
the forums and the wiki directly, with a few aggregate queries (never one
query per account), so the knowledge-at-risk page stays quick over thousands
of accounts. The experts package computes richer expertise; when it lands,
this module's functions can be backed by it without changing their callers.

**Interface** (every function returns active people only: a departed or
deactivated person's knowledge has left with them):

- ``Evidence``: one person's evidence about one subject (an account or a tag):
  ``user_id``, ``accepted`` (their accepted answers), ``answers`` (their
  replies), ``threads`` (threads they started), ``revisions`` (their page
  revisions), ``chars`` (characters they added to pages), ``text_share``
  (their share of the text written about the subject in the window, 0..1),
  ``score`` (a weighted sum, see ``WEIGHTS``) and ``share`` (their part of
  the score of everyone who knows the subject, 0..1).
- ``account_evidence(account_ids=None, *, since=None, viewer=None)`` →
  ``{account id: [Evidence, best first]}``; accounts nobody knows are left
  out. With ``viewer``, only threads in forums the viewer may read count.
- ``account_people(account_id, *, since=None, viewer=None)`` → one account's
  ``[(Person, Evidence)]``, best first; a ``Person`` has ``id``, ``username``
  and ``display_name``.
- ``tag_evidence(tag_ids, *, since=None)`` → the same per tag.
- ``person_accounts(user_id, *, since=None)`` → ``[(account id, Evidence,
  rank, people)]``, the accounts the person knows, best first; ``rank`` 0 is
  the top person on that account, ``people`` how many know it.
- ``person_tags(user_id, *, since=None)`` → ``[(tag id, Evidence)]``.
- ``window_start()`` → the start of the window (``HANDOVER_EVIDENCE_DAYS``,
  default 365 days before now, from the start of that hour).

What counts, within the window: on threads linked to the account (or filed
under the tag), accepted answers, other replies and thread starts, deleted
posts and threads left out; on pages about the account (its profile page and
pages linked to it; for a tag, pages filed under it), each revision and the
characters it added, deleted pages left out.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from portal import clock
from portal.auth.models import User
from portal.extensions import db
from portal.forums.models import Forum, Post, Thread, thread_accounts, thread_tags
from portal.forums.permissions import readable_forums_clause
from portal.wiki.models import Page, Revision, page_accounts, page_tags

DEFAULT_WINDOW_DAYS = 365

# How much each kind of evidence weighs. An accepted answer shows most
# knowledge; writing down most of what is known about an account is worth
# about two accepted answers.
WEIGHTS = {
    "accepted": 5.0,
    "answers": 2.0,
    "threads": 1.0,
    "revisions": 1.0,
    "text_share": 10.0,
}


@dataclass(frozen=True, slots=True)
class Evidence:
    user_id: int
    accepted: int = 0
    answers: int = 0
    threads: int = 0
    revisions: int = 0
    chars: int = 0
    text_share: float = 0.0
    score: float = 0.0
    share: float = 0.0


def window_days() -> int:
    return int(current_app.config.get("HANDOVER_EVIDENCE_DAYS", DEFAULT_WINDOW_DAYS))


def window_start() -> datetime:
    # From the start of the hour: every view in that hour counts the same
    # evidence, so the account page can remember it (``risk_cache``).
    start = clock.now() - timedelta(days=window_days())
    return start.replace(minute=0, second=0, microsecond=0)


# --- subjects: which threads and pages are about what ---------------------------------


def _account_threads(ids, viewer=None):
    stmt = sa.select(
        thread_accounts.c.thread_id.label("thread_id"),
        thread_accounts.c.account_id.label("subject_id"),
    )
    if ids is not None:
        stmt = stmt.where(thread_accounts.c.account_id.in_(ids))
    if viewer is not None:
        stmt = (
            stmt.join(Thread, Thread.id == thread_accounts.c.thread_id)
            .join(Forum, Forum.id == Thread.forum_id)
            .where(readable_forums_clause(viewer))
        )
    return stmt


def _account_pages(ids):
    # A profile page is linked to its account too, but a page made before that
    # rule may not be: the union covers both and counts a page once.
    profiles = sa.select(
        Page.id.label("page_id"), Page.account_id.label("subject_id")
    ).where(Page.account_id.is_not(None))
    linked = sa.select(
        page_accounts.c.page_id.label("page_id"),
        page_accounts.c.account_id.label("subject_id"),
    )
    if ids is not None:
        profiles = profiles.where(Page.account_id.in_(ids))
        linked = linked.where(page_accounts.c.account_id.in_(ids))
    return sa.union(profiles, linked)


def _tag_threads(ids):
    return sa.select(
        thread_tags.c.thread_id.label("thread_id"),
        thread_tags.c.tag_id.label("subject_id"),
    ).where(thread_tags.c.tag_id.in_(ids))


def _tag_pages(ids):
    return sa.select(
        page_tags.c.page_id.label("page_id"), page_tags.c.tag_id.label("subject_id")
    ).where(page_tags.c.tag_id.in_(ids))


# --- the aggregate queries ------------------------------------------------------------


def _forum_stmt(subjects, since, user_id=None):
    """(subject, user, accepted, answers, threads, 0, 0) over recent live posts."""
    about = subjects.subquery()
    one = sa.literal(1)
    zero = sa.literal(0, sa.Integer)
    stmt = (
        sa.select(
            about.c.subject_id,
            Post.author_id.label("user_id"),
            sa.func.sum(
                sa.case((Thread.accepted_post_id == Post.id, one), else_=0)
            ).label("accepted"),
            sa.func.sum(
                sa.case(
                    (
                        sa.and_(
                            Post.is_first.is_(False),
                            sa.or_(
                                Thread.accepted_post_id.is_(None),
                                Thread.accepted_post_id != Post.id,
                            ),
                        ),
                        one,
                    ),
                    else_=0,
                )
            ).label("answers"),
            sa.func.sum(sa.case((Post.is_first.is_(True), one), else_=0)).label(
                "threads"
            ),
            zero.label("revisions"),
            zero.label("chars"),
        )
        .select_from(Post)
        .join(Thread, Thread.id == Post.thread_id)
        .join(about, about.c.thread_id == Thread.id)
        .where(
            Post.deleted_at.is_(None),
            Thread.deleted_at.is_(None),
            Post.created_at >= since,
        )
        .group_by(about.c.subject_id, Post.author_id)
    )
    if user_id is not None:
        stmt = stmt.where(Post.author_id == user_id)
    return stmt


def _wiki_stmt(subjects, since, user_id=None):
    """(subject, user, 0, 0, 0, revisions, characters added) over recent
    revisions.

    A revision's added characters follow from its change size (added plus
    removed) and the change in length (added minus removed), as in
    ``portal.wiki.contributors``; the previous length comes from a window
    function, so the whole history is one query.
    """
    about = subjects.subquery()
    previous = sa.func.lag(Revision.size, 1, 0).over(
        partition_by=Revision.page_id, order_by=Revision.number
    )
    revs = (
        sa.select(
            Revision.page_id,
            Revision.author_id,
            Revision.created_at,
            ((Revision.change_size + Revision.size - previous) // 2).label("added"),
        )
        .where(Revision.page_id.in_(sa.select(about.c.page_id)))
        .subquery()
    )
    added = sa.case((revs.c.added > 0, revs.c.added), else_=0)
    zero = sa.literal(0, sa.Integer)
    stmt = (
        sa.select(
            about.c.subject_id,
            revs.c.author_id.label("user_id"),
            zero.label("accepted"),
            zero.label("answers"),
            zero.label("threads"),
            sa.func.count().label("revisions"),
            sa.func.sum(added).label("chars"),
        )
        .select_from(revs)
        .join(about, about.c.page_id == revs.c.page_id)
        .join(Page, Page.id == revs.c.page_id)
        .where(
            Page.deleted_at.is_(None),
            revs.c.created_at >= since,
            revs.c.author_id.is_not(None),
        )
        .group_by(about.c.subject_id, revs.c.author_id)
    )
    if user_id is not None:
        stmt = stmt.where(revs.c.author_id == user_id)
    return stmt


def _rows(threads, pages, since):
    """Per (subject, person): the forum and wiki counts, whether the person has
    gone (departed or deactivated), and their username and name, in one query."""
    both = sa.union_all(
        _forum_stmt(threads, since), _wiki_stmt(pages, since)
    ).subquery()
    gone = sa.or_(User.active.is_(False), User.left_at.is_not(None))
    return db.session.execute(
        sa.select(
            both.c.subject_id,
            both.c.user_id,
            sa.func.sum(both.c.accepted),
            sa.func.sum(both.c.answers),
            sa.func.sum(both.c.threads),
            sa.func.sum(both.c.revisions),
            sa.func.sum(both.c.chars),
            sa.case((gone, True), else_=False),
            User.username,
            User.display_name,
        )
        .join(User, User.id == both.c.user_id)
        .group_by(both.c.subject_id, both.c.user_id, User.id)
    ).all()


def _combine(rows) -> dict[int, list[Evidence]]:
    # [accepted, answers, threads, revisions, chars] per (subject, user)
    chars_total: dict[int, int] = defaultdict(int)
    for row in rows:
        # Departed people's text counts in the total: it was written, but
        # nobody left knows it from having written it.
        chars_total[row[0]] += int(row[6] or 0)
    w = WEIGHTS
    scored: dict[int, list[tuple]] = defaultdict(list)
    for subject, user, acc, ans, thr, rev, chars, gone, *_names in rows:
        if gone:
            continue
        acc, ans, thr, rev, chars = (int(n or 0) for n in (acc, ans, thr, rev, chars))
        total = chars_total.get(subject, 0)
        text_share = round(chars / total, 4) if total else 0.0
        score = round(
            w["accepted"] * acc
            + w["answers"] * ans
            + w["threads"] * thr
            + w["revisions"] * rev
            + w["text_share"] * text_share,
            2,
        )
        if score > 0:
            scored[subject].append((user, acc, ans, thr, rev, chars, text_share, score))
    out = {}
    for subject, people in scored.items():
        total = sum(r[7] for r in people)
        people.sort(key=lambda r: (-r[7], r[0]))
        out[subject] = [Evidence(*r, round(r[7] / total, 4)) for r in people]
    return out


# --- the interface --------------------------------------------------------------------


def account_evidence(
    account_ids=None, *, since=None, viewer=None
) -> dict[int, list[Evidence]]:
    """Return, per account, the active people with recent evidence, best first.

    ``account_ids`` None means every account. Accounts nobody knows are left
    out of the answer. With ``viewer``, threads in forums they may not read do
    not count: who knows a customer from a restricted forum is restricted too.
    """
    since = since or window_start()
    ids = None if account_ids is None else list(account_ids)
    if ids == []:
        return {}
    return _combine(_rows(_account_threads(ids, viewer), _account_pages(ids), since))


@dataclass(frozen=True, slots=True)
class Person:
    """Who a piece of evidence is about, as the words of a risk name them."""

    id: int
    username: str
    display_name: str


def account_people(
    account_id: int, *, since=None, viewer=None
) -> list[tuple[Person, Evidence]]:
    """Return ``account_evidence`` of one account with each person's names, in
    one query: (Person, Evidence), best first."""
    rows = _rows(
        _account_threads([account_id], viewer),
        _account_pages([account_id]),
        since or window_start(),
    )
    names = {row[1]: Person(row[1], row[8], row[9]) for row in rows}
    return [(names[e.user_id], e) for e in _combine(rows).get(account_id, [])]


def tag_evidence(tag_ids, *, since=None) -> dict[int, list[Evidence]]:
    """Return, per tag, the active people with recent evidence, best first."""
    ids = list(tag_ids)
    if not ids:
        return {}
    since = since or window_start()
    return _combine(_rows(_tag_threads(ids), _tag_pages(ids), since))


def _subjects_of(user_id: int, threads, pages, since) -> set[int]:
    stmt = sa.union(
        sa.select(_forum_stmt(threads, since, user_id).subquery().c.subject_id),
        sa.select(_wiki_stmt(pages, since, user_id).subquery().c.subject_id),
    )
    return set(db.session.scalars(sa.select(stmt.subquery().c.subject_id)))


def person_accounts(
    user_id: int, *, since=None
) -> list[tuple[int, Evidence, int, int]]:
    """Return the accounts ``user_id`` knows: (account id, their evidence, their
    rank among the people who know it (0: the top), how many know it)."""
    since = since or window_start()
    ids = _subjects_of(user_id, _account_threads(None), _account_pages(None), since)
    out = []
    for account_id, people in account_evidence(ids, since=since).items():
        for rank, e in enumerate(people):
            if e.user_id == user_id:
                out.append((account_id, e, rank, len(people)))
    out.sort(key=lambda row: (-row[1].score, row[0]))
    return out


def person_tags(user_id: int, *, since=None) -> list[tuple[int, Evidence]]:
    """Return the tags ``user_id`` knows, with their evidence, best first."""
    since = since or window_start()
    forum = db.session.execute(
        sa.select(thread_tags.c.tag_id)
        .join(Post, Post.thread_id == thread_tags.c.thread_id)
        .where(Post.author_id == user_id, Post.created_at >= since)
        .distinct()
    ).scalars()
    wiki = db.session.execute(
        sa.select(page_tags.c.tag_id)
        .join(Revision, Revision.page_id == page_tags.c.page_id)
        .where(Revision.author_id == user_id, Revision.created_at >= since)
        .distinct()
    ).scalars()
    ids = set(forum) | set(wiki)
    out = []
    for tag_id, people in tag_evidence(ids, since=since).items():
        for e in people:
            if e.user_id == user_id:
                out.append((tag_id, e))
    out.sort(key=lambda row: (-row[1].score, row[0]))
    return out
