"""What the incentives do when content changes: write ledger rows in the same
transaction as the change (never committing).

Votes and accepted answers, the frequent events, award and reverse directly;
rarer events that change what many awards depend on (a deletion, a restore, a
moved thread, an edit that changes links) bring the affected part of the
ledger in line with ``derive``, the same derivation ``recompute`` uses.

Each handler runs in a SAVEPOINT: if it fails, its rows are rolled back and
the failure logged, and the person's post, vote or edit still goes through
(``recompute`` can add the missing awards later). Under test the failure is
raised, so that a bug cannot hide.
"""

import functools
import logging

import sqlalchemy as sa
from flask import current_app

from portal import signals
from portal.extensions import db
from portal.forums.models import Post
from portal.incentives import badges, derive, ledger, writeups
from portal.incentives.ledger import _begin
from portal.incentives.models import PointEntry

log = logging.getLogger(__name__)


def guarded(handler):
    @functools.wraps(handler)
    def wrapper(sender, **kwargs):
        _begin()
        try:
            with db.session.begin_nested():
                handler(sender, **kwargs)
        except Exception:
            if current_app.testing:
                raise
            log.exception("incentives: %s failed; run recompute", handler.__name__)

    return wrapper


def _award(item: ledger.Expected):
    return ledger.award(
        item.user_id,
        item.rule,
        source_type=item.source_type,
        source_id=item.source_id,
        key=item.key,
        actor_id=item.actor_id,
        seci=item.seci,
    )


def _sync_posts(post_ids, reason: str, *, own=True, cites=True) -> None:
    ledger.sync(
        derive.expected_for_posts(post_ids, own=own, cites=cites),
        derive.post_scope(post_ids, own=own, cites=cites),
        reason,
    )


def _sync_pages(page_ids, reason: str, **parts) -> None:
    ledger.sync(
        derive.expected_for_pages(page_ids, **parts),
        derive.page_scope(page_ids, **parts),
        reason,
    )


def _thread_post_ids(thread_id: int) -> list[int]:
    return list(
        db.session.scalars(sa.select(Post.id).where(Post.thread_id == thread_id))
    )


# --- forums -----------------------------------------------------------------------


@guarded
def on_post_created(post, **_):
    _sync_posts([post.id], "changed")


@guarded
def on_post_edited(post, previous_body="", **_):
    if "[[" in (post.body or "") or "[[" in (previous_body or ""):
        _sync_posts([post.id], "edited", own=False)


@guarded
def on_post_deleted(post, **_):
    ids = _thread_post_ids(post.thread_id) if post.is_first else [post.id]
    _sync_posts(ids, "deleted")


@guarded
def on_post_restored(post, **_):
    ids = _thread_post_ids(post.thread_id) if post.is_first else [post.id]
    _sync_posts(ids, "changed")


@guarded
def on_thread_moved(thread, old_forum=None, **_):
    if old_forum is not None and old_forum.kind == thread.forum.kind:
        return
    _sync_posts(_thread_post_ids(thread.id), "moved", cites=False)


def _reverse_vote(post, voter_id: int, reason: str) -> None:
    ledger.reverse_where(
        PointEntry.source_type == "post",
        PointEntry.source_id == post.id,
        PointEntry.key == f"vote:{post.id}:{voter_id}",
        reason=reason,
    )


@guarded
def on_vote_cast(post, voter=None, value=0, previous=0, **_):
    if previous:
        _reverse_vote(post, voter.id, "withdrawn")
    for item in derive.vote_awards(post, voter.id, value):
        _award(item)


@guarded
def on_vote_withdrawn(post, voter=None, **_):
    _reverse_vote(post, voter.id, "withdrawn")


@guarded
def on_answer_accepted(post, **_):
    for item in derive.accept_awards(post):
        _award(item)
    badges.check(post.author_id)


@guarded
def on_answer_unaccepted(post, thread=None, **_):
    thread = thread or post.thread
    ledger.reverse_where(
        sa.or_(
            sa.and_(
                PointEntry.rule == "answer_accepted",
                PointEntry.key == f"post:{post.id}",
            ),
            sa.and_(
                PointEntry.rule == "accepted_asker",
                PointEntry.key == f"thread:{thread.id}",
            ),
        ),
        reason="unaccepted",
    )


# --- wiki ---------------------------------------------------------------------------


@guarded
def on_page_revised(page, author=None, revision=None, previous=None, **_):
    if revision is not None and derive.revision_earns(revision, page):
        _award(
            ledger.Expected(
                revision.author_id,
                "wiki_revision",
                f"revision:{revision.id}",
                "page",
                page.id,
                seci="combination" if page.account_id else None,
            )
        )
    # A new page may be what older posts already link to.
    _sync_pages([page.id], "edited", own=False, links=True, cites=previous is None)
    if revision is not None and revision.author_id:
        badges.check(revision.author_id)


@guarded
def on_page_state_changed(page, new_state=None, **_):
    if new_state != "validated" or page.deleted_at is not None:
        return
    for item in derive.validated_awards([page.id]):
        _award(item)
        badges.check(item.user_id)


@guarded
def on_page_renamed(page, **_):
    _sync_pages([page.id], "changed", own=False, links=True, cites=True)


@guarded
def on_page_deleted(page, **_):
    _sync_pages([page.id], "deleted")


@guarded
def on_page_restored(page, **_):
    _sync_pages([page.id], "changed")


@guarded
def on_thread_written_up(page, authors=(), **_):
    for item in writeups.awards_for(page, authors):
        _award(item)
        badges.check(item.user_id)
    # The generated draft is the authors' text, not the writer's revision.
    _sync_pages([page.id], "changed", own=True, links=False, cites=False)


# --- experts -------------------------------------------------------------------------


@guarded
def on_endorsement_given(endorsement, endorser=None, skill_owner=None, tag=None, **_):
    # Keyed by skill and endorser, not by the endorsement row: withdrawing and
    # endorsing again is the same endorsement, and earns once.
    ledger.award(
        skill_owner.id,
        "endorsement_received",
        source_type="skill",
        source_id=endorsement.skill_id,
        key=f"endorsement:{endorsement.skill_id}:{endorser.id}",
        actor_id=endorser.id,
        note=tag.name if tag is not None else "",
    )


# --- handover ------------------------------------------------------------------------


@guarded
def on_handover_item_captured(item, case=None, actor=None, **_):
    # Keyed by the item: saving the answer again earns nothing more.
    ledger.award(
        case.leaver_id,
        "handover_item_completed",
        source_type="handover",
        source_id=item.id,
        key=f"handover:{item.id}",
        actor_id=actor.id if actor is not None else None,
    )


@guarded
def on_handover_item_understood(item, case=None, actor=None, **_):
    ledger.award(
        item.successor_id or actor.id,
        "handover_item_understood",
        source_type="handover",
        source_id=item.id,
        key=f"handover:{item.id}",
        actor_id=actor.id if actor is not None else None,
    )


RECEIVERS = {
    signals.post_created: on_post_created,
    signals.post_edited: on_post_edited,
    signals.post_deleted: on_post_deleted,
    signals.post_restored: on_post_restored,
    signals.thread_moved: on_thread_moved,
    signals.vote_cast: on_vote_cast,
    signals.vote_withdrawn: on_vote_withdrawn,
    signals.answer_accepted: on_answer_accepted,
    signals.answer_unaccepted: on_answer_unaccepted,
    signals.page_revised: on_page_revised,
    signals.page_state_changed: on_page_state_changed,
    signals.page_renamed: on_page_renamed,
    signals.page_deleted: on_page_deleted,
    signals.page_restored: on_page_restored,
    signals.thread_written_up: on_thread_written_up,
    signals.endorsement_given: on_endorsement_given,
    signals.handover_item_captured: on_handover_item_captured,
    signals.handover_item_understood: on_handover_item_understood,
}


def connect() -> None:
    """Subscribe to the content signals (connecting twice is harmless)."""
    for signal, receiver in RECEIVERS.items():
        signal.connect(receiver)
