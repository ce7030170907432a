"""What experts do when content changes (evidence, in the same transaction),
and what they add to pages other packages own (panels)."""

import sqlalchemy as sa

from portal import signals, versions
from portal.experts import charts, evidence, service
from portal.experts.models import (
    Endorsement,
    ExpertProfile,
    ExpertRequest,
    HiddenTopic,
    Routing,
    Skill,
    WorkAccount,
)
from portal.signals import Panel

# --- evidence ---------------------------------------------------------------------


def _thread(thread):
    evidence.refresh_thread(thread)


def on_thread_created(thread, **_):
    _thread(thread)


def on_thread_changed(thread, **_):
    _thread(thread)


def on_post_created(post, thread=None, **_):
    if not post.is_first:  # the first post came with on_thread_created
        _thread(thread or post.thread)


def on_post_changed(post, **_):
    _thread(post.thread)


def on_answer_accepted(post, thread=None, actor=None, **_):
    thread = thread or post.thread
    _thread(thread)
    service.on_answer_accepted(post, thread, actor)


def on_answer_unaccepted(post, thread=None, **_):
    thread = thread or post.thread
    _thread(thread)
    service.on_answer_unaccepted(thread)


def on_page_changed(page, **_):
    evidence.refresh_page(page)


def on_thread_written_up(page, **_):
    evidence.refresh_page(page)


def person_search_terms(user, **_):
    return service.search_terms(user)


def page_experts(page, **_):
    return service.page_experts(page)


# --- panels -------------------------------------------------------------------------

PANEL_EXPERTS = 5


def _suggestions(viewer, **filters):
    from portal.experts import ranking

    return ranking.rank(viewer=viewer, limit=PANEL_EXPERTS, **filters)


def account_panel(account, viewer=None, **_):
    from portal.experts import ranking

    return Panel(
        "experts/_account_panel.html",
        lambda: {"account": account, "experts": _suggestions(viewer, account=account)},
        order=30,
        key=ranking.viewing_scope(viewer),
    )


def tag_panel(tag, viewer=None, **_):
    experts = _suggestions(viewer, tag=tag)
    if not experts:
        return None
    return Panel("experts/_tag_panel.html", {"tag": tag, "experts": experts}, order=15)


def profile_panel(user, viewer=None, **_):
    skills = service.skills_of(user)
    hidden = service.hidden_topics(user)
    topics = service.inferred_topics(user, viewer=viewer, hidden=hidden)
    accounts = service.inferred_accounts(user, viewer=viewer)
    profile, state, until = service.profile_and_availability(user)
    return Panel(
        "experts/_profile_panel.html",
        {
            "user": user,
            "profile": profile,
            "availability": state,
            "away_until": until,
            "skills": skills,
            "endorsed": service.endorsed_by(viewer, skills),
            "topics": topics,
            "hidden": hidden,
            "work_accounts": service.work_accounts(user),
            "accounts": accounts,
            "chart": charts.expertise_chart(user, topics, accounts),
            "can_edit": service.can_edit_expertise(viewer, user),
            "can_endorse": viewer is not None
            and getattr(viewer, "is_authenticated", False)
            and viewer.id != user.id,
        },
        order=5,
    )


def tags_in_use(viewer, tag_ids=(), **_):
    """Tags someone declared as a skill: profiles are open to everyone."""
    return service.skill_tag_ids(tag_ids)


def home_panel(user, **_):
    routed = service.routed_to(user)
    could = service.could_answer(user)
    if not routed and not could:
        return None
    return Panel(
        "experts/_home_panel.html", {"routed": routed, "could": could}, order=5
    )


def routed_questions(leaver, **_):
    return service.routed_thread_ids(leaver)


def on_handover_closed(case, leaver=None, successors=(), **_):
    if leaver is not None and successors:
        service.hand_over_routings(leaver, successors[0])


RECEIVERS = {
    signals.thread_created: on_thread_created,
    signals.thread_updated: on_thread_changed,
    signals.thread_moved: on_thread_changed,
    signals.post_created: on_post_created,
    signals.post_edited: on_post_changed,
    signals.post_deleted: on_post_changed,
    signals.post_restored: on_post_changed,
    signals.vote_cast: on_post_changed,
    signals.vote_withdrawn: on_post_changed,
    signals.answer_accepted: on_answer_accepted,
    signals.answer_unaccepted: on_answer_unaccepted,
    signals.page_created: on_page_changed,
    signals.page_revised: on_page_changed,
    signals.page_state_changed: on_page_changed,
    signals.page_renamed: on_page_changed,
    signals.page_deleted: on_page_changed,
    signals.page_restored: on_page_changed,
    signals.thread_written_up: on_thread_written_up,
    signals.person_search_terms: person_search_terms,
    signals.page_experts: page_experts,
    signals.account_panels: account_panel,
    signals.tag_panels: tag_panel,
    signals.profile_panels: profile_panel,
    signals.home_panels: home_panel,
    signals.tag_uses: tags_in_use,
    signals.routed_questions: routed_questions,
    signals.handover_closed: on_handover_closed,
}


# --- what a flush changes on the accounts' and the threads' pages ----------------


def _work_touch(session, rows) -> set[str]:
    # Who says they work on an account ranks among its experts.
    return {versions.account(r.account_id) for r in rows}


def _declared_touch(session, rows) -> set[str]:
    # Skills, endorsements, hidden topics and availability weigh in every
    # account's ranking; people change them seldom.
    return {versions.ALL}


def _requests_touch(session, requests) -> set[str]:
    # A question's page shows whether experts were asked, and whom.
    return {versions.thread(r.thread_id) for r in requests}


def _routings_touch(session, routings) -> set[str]:
    request_ids = {r.request_id for r in routings}
    return {
        versions.thread(t)
        for t in session.connection()
        .execute(
            sa.select(ExpertRequest.thread_id).where(ExpertRequest.id.in_(request_ids))
        )
        .scalars()
    }


def connect() -> None:
    """Subscribe (connecting twice is harmless)."""
    versions.on_flush(WorkAccount, _work_touch)
    versions.on_flush(ExpertRequest, _requests_touch)
    versions.on_flush(Routing, _routings_touch)
    for model in (Skill, Endorsement, HiddenTopic, ExpertProfile):
        versions.on_flush(model, _declared_touch)
    for signal, receiver in RECEIVERS.items():
        signal.connect(receiver)
