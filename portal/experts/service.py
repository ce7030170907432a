"""Experts: declared skills and availability, endorsements, "not me", what the
portal infers about a person, and asking experts a question (routing,
escalation, resolved cases).

Services take plain arguments, flush and never commit; the caller commits once.
"""

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import gettext as _

from portal import clock, signals
from portal.accounts.models import CustomerAccount
from portal.auth.models import User
from portal.auth.permissions import is_admin
from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.experts import ranking
from portal.experts.models import (
    AVAILABILITY,
    LEVELS,
    Endorsement,
    Evidence,
    EvidenceDocument,
    ExpertProfile,
    ExpertRequest,
    HiddenTopic,
    ResolvedCase,
    Routing,
    Skill,
    WorkAccount,
    evidence_document_accounts,
    evidence_document_tags,
)
from portal.extensions import db
from portal.forums import permissions as forum_permissions
from portal.forums.models import Forum, Post, Thread, thread_tags
from portal.tags import service as tags_service
from portal.tags.models import Tag
from portal.wiki.service import parse_accounts

DEFAULT_ESCALATE_AFTER_HOURS = 24
DEFAULT_ROUTE_COUNT = 3
MAX_ASK_ME_ABOUT = 500
MAX_SKILLS = 30


def _config(name: str, default):
    if has_app_context():
        return current_app.config.get(name, default)
    return default


def _active(user) -> bool:
    return user is not None and user.active and user.left_at is None


def can_edit_expertise(actor, user) -> bool:
    """People edit their own skills and availability; admins anyone's."""
    return _active(actor) and (actor.id == user.id or is_admin(actor))


def can_endorse(actor, skill: Skill) -> bool:
    return _active(actor) and actor.id != skill.user_id


# --- declared: profile, skills, accounts -----------------------------------------


def profile_of(user: User) -> ExpertProfile:
    """Return the person's profile row, or an unsaved default one."""
    return db.session.get(ExpertProfile, user.id) or _default_profile(user)


def _default_profile(user: User) -> ExpertProfile:
    return ExpertProfile(user_id=user.id, ask_me_about="", availability="available")


def profile_and_availability(user: User):
    """Return the person's profile (saved or default), availability and the
    date they are back, from one query."""
    saved = db.session.get(ExpertProfile, user.id)
    state, until = _availability(saved, None)
    return saved or _default_profile(user), state, until


def availability(
    user: User, now: datetime | None = None
) -> tuple[str, datetime | None]:
    """Return ("available" | "busy" | "away", away_until): away ends by itself."""
    return _availability(db.session.get(ExpertProfile, user.id), now)


def availabilities(users, now: datetime | None = None) -> dict[int, str]:
    """{user id: "available" | "busy" | "away"} for several people, in one query."""
    ids = [u.id for u in users]
    profiles = (
        {
            p.user_id: p
            for p in db.session.scalars(
                sa.select(ExpertProfile).where(ExpertProfile.user_id.in_(ids))
            )
        }
        if ids
        else {}
    )
    now = now or clock.now()
    return {uid: _availability(profiles.get(uid), now)[0] for uid in ids}


def _availability(profile, now) -> tuple[str, datetime | None]:
    if profile is None:
        return "available", None
    now = now or clock.now()
    if profile.availability == "away":
        if profile.away_until is not None and profile.away_until <= now:
            return "available", None
        return "away", profile.away_until
    return profile.availability, None


def _away_until(value) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC)
    try:
        return datetime.combine(date.fromisoformat(str(value)), time(), tzinfo=UTC)
    except ValueError:
        raise Invalid(
            _("Give the date you are back as YYYY-MM-DD."),
            details={"field": "away_until"},
        ) from None


def update_profile(
    user: User,
    actor: User,
    *,
    ask_me_about: str = "",
    availability: str = "available",
    away_until=None,
    accounts=None,
) -> ExpertProfile:
    """Save "ask me about", availability and the accounts the person works on.

    :raises Forbidden: when the actor may not edit this person's expertise.
    :raises Invalid: when a value is too long, unknown or malformed.
    """
    if not can_edit_expertise(actor, user):
        raise Forbidden(_("Only the person and administrators can change this."))
    ask = " ".join((ask_me_about or "").split())
    if len(ask) > MAX_ASK_ME_ABOUT:
        raise Invalid(
            _("“Ask me about” is at most %(n)d characters.", n=MAX_ASK_ME_ABOUT),
            details={"field": "ask_me_about"},
        )
    if availability not in AVAILABILITY:
        raise Invalid(
            _("Choose available, busy or away."), details={"field": "availability"}
        )
    until = _away_until(away_until) if availability == "away" else None
    if until is not None and until <= clock.now():
        raise Invalid(
            _("The date you are back must be in the future."),
            details={"field": "away_until"},
        )
    account_list = parse_accounts(accounts) if accounts is not None else None
    profile = db.session.get(ExpertProfile, user.id)
    if profile is None:
        profile = ExpertProfile(user_id=user.id)
        db.session.add(profile)
    changed_terms = (profile.ask_me_about or "") != ask
    profile.ask_me_about = ask
    profile.availability = availability
    profile.away_until = until
    if account_list is not None:
        db.session.execute(sa.delete(WorkAccount).where(WorkAccount.user_id == user.id))
        db.session.flush()
        for account in account_list:
            db.session.add(WorkAccount(user_id=user.id, account_id=account.id))
    db.session.flush()
    if changed_terms:
        signals.user_updated.send(user, actor=actor, changed={"skills"})
    return profile


def work_accounts(user: User) -> list[CustomerAccount]:
    """The accounts the person says they work on, then those they manage."""
    declared = sa.and_(
        WorkAccount.account_id == CustomerAccount.id, WorkAccount.user_id == user.id
    )
    return list(
        db.session.scalars(
            sa.select(CustomerAccount)
            .outerjoin(WorkAccount, declared)
            .where(
                sa.or_(
                    WorkAccount.user_id.is_not(None),
                    CustomerAccount.account_manager_id == user.id,
                )
            )
            .order_by(WorkAccount.user_id.is_(None), CustomerAccount.name)
        )
    )


def skills_of(user: User) -> list[Skill]:
    return list(
        db.session.scalars(
            sa.select(Skill)
            .join(Tag, Tag.id == Skill.tag_id)
            .where(Skill.user_id == user.id)
            .order_by(Skill.level.desc(), Tag.key)
        )
    )


def add_skill(user: User, actor: User, tag_name: str, level) -> Skill:
    """Declare a skill, or change its level when it is declared already.

    :raises Forbidden: when the actor may not edit this person's skills.
    :raises Invalid: when the tag is empty or malformed, or the level unknown.
    """
    if not can_edit_expertise(actor, user):
        raise Forbidden(_("Only the person and administrators can change this."))
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in LEVELS:
        raise Invalid(_("Choose a level from 1 to 3."), details={"field": "level"})
    names = tags_service.parse(tag_name)
    if not names:
        raise Invalid(
            _("Name the skill, for example: billing."), details={"field": "tag"}
        )
    if len(names) > 1:
        raise Invalid(_("One skill at a time."), details={"field": "tag"})
    tag = tags_service.get_or_create(names)[0]
    skill = db.session.scalar(
        sa.select(Skill).where(Skill.user_id == user.id, Skill.tag_id == tag.id)
    )
    if skill is None:
        count = db.session.scalar(
            sa.select(sa.func.count(Skill.id)).where(Skill.user_id == user.id)
        )
        if count >= MAX_SKILLS:
            raise Invalid(
                _("At most %(n)d skills.", n=MAX_SKILLS), details={"field": "tag"}
            )
        skill = Skill(user_id=user.id, tag=tag, level=level, created_at=clock.now())
        db.session.add(skill)
    skill.level = level
    db.session.flush()
    signals.user_updated.send(user, actor=actor, changed={"skills"})
    return skill


def get_skill(skill_id: int) -> Skill:
    """:raises NotFound: when there is no such declared skill."""
    skill = db.session.get(Skill, skill_id)
    if skill is None:
        raise NotFound(_("There is no such skill."))
    return skill


def remove_skill(skill: Skill, actor: User) -> None:
    """Remove a declared skill and its endorsements.

    :raises Forbidden: when the actor may not edit this person's skills.
    """
    owner = skill.user
    if not can_edit_expertise(actor, owner):
        raise Forbidden(_("Only the person and administrators can change this."))
    for endorsement in db.session.scalars(
        sa.select(Endorsement).where(Endorsement.skill_id == skill.id)
    ).all():
        endorser = endorsement.endorser
        db.session.delete(endorsement)
        db.session.flush()
        signals.endorsement_withdrawn.send(
            endorsement, endorser=endorser, skill_owner=owner, tag=skill.tag
        )
    db.session.delete(skill)
    db.session.flush()
    signals.user_updated.send(owner, actor=actor, changed={"skills"})


def endorse(skill: Skill, endorser: User) -> Endorsement:
    """Vouch for a colleague's declared skill.

    :raises Forbidden: when endorsing one's own skill.
    :raises Conflict: when the endorser has endorsed this skill already.
    """
    if endorser.id == skill.user_id:
        raise Forbidden(_("You cannot endorse your own skill."))
    if not _active(endorser):
        raise Forbidden(_("Only active colleagues can endorse."))
    exists = db.session.scalar(
        sa.select(Endorsement.id).where(
            Endorsement.skill_id == skill.id, Endorsement.endorser_id == endorser.id
        )
    )
    if exists is not None:
        raise Conflict(_("You have endorsed this skill already."))
    endorsement = Endorsement(
        skill_id=skill.id, endorser_id=endorser.id, created_at=clock.now()
    )
    try:
        with db.session.begin_nested():
            db.session.add(endorsement)
            db.session.flush()
    except sa.exc.IntegrityError:
        # Two clicks raced; the first one endorsed.
        raise Conflict(_("You have endorsed this skill already.")) from None
    skill.endorsement_count = Skill.endorsement_count + 1
    db.session.flush()
    db.session.refresh(skill, ["endorsement_count"])
    signals.endorsement_given.send(
        endorsement, endorser=endorser, skill_owner=skill.user, tag=skill.tag
    )
    return endorsement


def withdraw_endorsement(skill: Skill, endorser: User) -> None:
    """:raises NotFound: when the endorser has not endorsed this skill."""
    endorsement = db.session.scalar(
        sa.select(Endorsement).where(
            Endorsement.skill_id == skill.id, Endorsement.endorser_id == endorser.id
        )
    )
    if endorsement is None:
        raise NotFound(_("You have not endorsed this skill."))
    db.session.delete(endorsement)
    skill.endorsement_count = Skill.endorsement_count - 1
    db.session.flush()
    db.session.refresh(skill, ["endorsement_count"])
    signals.endorsement_withdrawn.send(
        endorsement, endorser=endorser, skill_owner=skill.user, tag=skill.tag
    )


def endorsed_by(viewer, skills: list[Skill]) -> set[int]:
    """The ids of ``skills`` that ``viewer`` has endorsed."""
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not skills:
        return set()
    return set(
        db.session.scalars(
            sa.select(Endorsement.skill_id).where(
                Endorsement.endorser_id == viewer.id,
                Endorsement.skill_id.in_([s.id for s in skills]),
            )
        )
    )


def skill_tag_ids(tag_ids) -> list[int]:
    """Return the ids among ``tag_ids`` that someone declared as a skill."""
    return list(
        db.session.scalars(
            sa.select(Skill.tag_id).where(Skill.tag_id.in_(list(tag_ids))).distinct()
        )
    )


def search_terms(user: User) -> list[str] | None:
    """What to index with the person: declared skills and "ask me about"."""
    terms = [s.tag.name for s in skills_of(user)]
    profile = db.session.get(ExpertProfile, user.id)
    if profile is not None and profile.ask_me_about:
        terms.append(profile.ask_me_about)
    return terms or None


# --- inferred: topics and accounts, "not me" ---------------------------------------


def hide_topic(user: User, actor: User, tag: Tag) -> None:
    """Stop using ``tag`` as one of the person's inferred topics ("not me")."""
    if not can_edit_expertise(actor, user):
        raise Forbidden(_("Only the person and administrators can change this."))
    if db.session.get(HiddenTopic, (user.id, tag.id)) is None:
        db.session.add(
            HiddenTopic(user_id=user.id, tag_id=tag.id, created_at=clock.now())
        )
        db.session.flush()


def show_topic(user: User, actor: User, tag: Tag) -> None:
    if not can_edit_expertise(actor, user):
        raise Forbidden(_("Only the person and administrators can change this."))
    row = db.session.get(HiddenTopic, (user.id, tag.id))
    if row is not None:
        db.session.delete(row)
        db.session.flush()


def hidden_topics(user: User) -> list[Tag]:
    return list(
        db.session.scalars(
            sa.select(Tag)
            .join(HiddenTopic, HiddenTopic.tag_id == Tag.id)
            .where(HiddenTopic.user_id == user.id)
            .order_by(Tag.key)
        )
    )


def _grouped(user: User, viewer, link_table, column, model, limit: int):
    """The person's strongest ``model`` rows (tags or accounts) by the evidence
    filed under them, added up by the database: [(row, score, documents)]."""
    weight, params = ranking.decayed_weight(clock.now(), ranking.half_life_days())
    score = sa.func.sum(weight)
    return db.session.execute(
        sa.select(model, score, sa.func.count(sa.distinct(Evidence.document_id)))
        .join(link_table, link_table.c[column] == model.id)
        .join(Evidence, Evidence.document_id == link_table.c.document_id)
        .join(EvidenceDocument, EvidenceDocument.id == Evidence.document_id)
        .where(Evidence.user_id == user.id, ranking._visible_clause(viewer))
        .group_by(model.id)
        .order_by(score.desc(), model.id)
        .limit(limit),
        params,
    ).all()


def inferred_topics(
    user: User, viewer=None, limit: int = 8, hidden: list[Tag] | None = None
) -> list[dict]:
    """The tags of the person's evidence, strongest first, hidden ones left out.

    Each: {"tag", "score", "documents"} (documents: how many threads and pages).
    ``hidden``: the person's hidden topics, when the caller has them already.
    """
    hidden = hidden_topics(user) if hidden is None else hidden
    rows = _grouped(
        user, viewer, evidence_document_tags, "tag_id", Tag, limit + len(hidden)
    )
    hidden_ids = {t.id for t in hidden}
    return [
        {"tag": tag, "score": round(score, 2), "documents": documents}
        for tag, score, documents in rows
        if tag.id not in hidden_ids
    ][:limit]


def inferred_accounts(user: User, viewer=None, limit: int = 6) -> list[dict]:
    rows = _grouped(
        user,
        viewer,
        evidence_document_accounts,
        "account_id",
        CustomerAccount,
        limit,
    )
    return [
        {"account": account, "score": round(score, 2), "documents": documents}
        for account, score, documents in rows
    ]


# --- asking experts -----------------------------------------------------------------


def _thread_query(thread: Thread) -> str:
    first = db.session.scalar(
        sa.select(Post.body).where(Post.thread_id == thread.id, Post.is_first.is_(True))
    )
    return " ".join([thread.title, *(t.name for t in thread.tags), (first or "")[:500]])


def _readers(thread: Thread, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(User.id).where(
                User.id.in_(ids), forum_permissions.forum_readers_clause(thread.forum)
            )
        )
    )


def _next_experts(thread: Thread, request: ExpertRequest | None, asker: User):
    """The best available experts for ``thread`` not asked yet, best first."""
    count = int(_config("EXPERTS_ROUTE_COUNT", DEFAULT_ROUTE_COUNT))
    exclude = {asker.id, thread.author_id}
    if request is not None:
        exclude |= {r.user_id for r in request.routings}
    try:
        found = ranking.rank(
            _thread_query(thread),
            limit=count * 5 + 10,
            exclude=exclude,
            explain=False,
            skip=("thread", thread.id),
        )
    except Invalid:
        return []
    readers = _readers(thread, [s.user.id for s in found])
    states = availabilities([s.user for s in found if s.user.id in readers])
    picked = [s for s in found if states.get(s.user.id) == "available"]
    return picked[:count]


def request_for(thread: Thread) -> ExpertRequest | None:
    return db.session.scalar(
        sa.select(ExpertRequest).where(ExpertRequest.thread_id == thread.id)
    )


def get_question(thread_id: int, viewer) -> Thread:
    """Return a question thread experts may be asked about.

    :raises NotFound: when there is no such thread the viewer may read.
    :raises Conflict: when it is deleted, not a question, or already answered.
    """
    thread = db.session.get(Thread, thread_id)
    if thread is None or not forum_permissions.can_read_thread(viewer, thread):
        raise NotFound(_("There is no thread %(id)s.", id=thread_id))
    if thread.deleted_at is not None:
        raise Conflict(_("This thread is deleted: there is nothing to ask about."))
    if not thread.is_question:
        raise Conflict(_("Only questions can be routed to experts."))
    return thread


def ask(thread: Thread, asker: User) -> ExpertRequest:
    """Route a question to the best few available experts for it.

    :raises Conflict: when the thread is deleted, not a question, has an
        accepted answer, or was routed already.
    """
    thread = get_question(thread.id, asker)
    if thread.accepted_post_id is not None:
        raise Conflict(_("This question has an accepted answer already."))
    if request_for(thread) is not None:
        raise Conflict(_("Experts have been asked about this question already."))
    now = clock.now()
    request = ExpertRequest(
        thread_id=thread.id,
        asker_id=asker.id,
        round=1,
        status="open",
        created_at=now,
        last_routed_at=now,
    )
    db.session.add(request)
    db.session.flush()
    experts = _route(request, _next_experts(thread, None, asker), 1, "expert")
    signals.expert_asked.send(request, thread=thread, asker=asker, experts=experts)
    return request


def _route(request: ExpertRequest, picked, round_: int, reason: str) -> list[User]:
    now = clock.now()
    users = []
    for item in picked:
        user, score = (item.user, item.score) if hasattr(item, "user") else (item, 0.0)
        db.session.add(
            Routing(
                request_id=request.id,
                user_id=user.id,
                round=round_,
                reason=reason,
                score=score,
                created_at=now,
            )
        )
        users.append(user)
    db.session.flush()
    db.session.expire(request, ["routings"])
    return users


def _answered(request: ExpertRequest, thread: Thread) -> bool:
    """Whether someone other than the asker replied since the question was routed."""
    return (
        db.session.scalar(
            sa.select(Post.id)
            .where(
                Post.thread_id == thread.id,
                Post.is_first.is_(False),
                Post.deleted_at.is_(None),
                Post.author_id.not_in([request.asker_id, thread.author_id]),
                Post.created_at >= request.created_at,
            )
            .limit(1)
        )
        is not None
    )


def escalate_after() -> timedelta:
    return timedelta(
        hours=float(
            _config("EXPERTS_ESCALATE_AFTER_HOURS", DEFAULT_ESCALATE_AFTER_HOURS)
        )
    )


def due_requests(now: datetime | None = None) -> list[int]:
    """Ids of open requests routed longer ago than the wait, not at the last round."""
    now = now or clock.now()
    return list(
        db.session.scalars(
            sa.select(ExpertRequest.id)
            .where(
                ExpertRequest.status == "open",
                ExpertRequest.round < 3,
                ExpertRequest.last_routed_at <= now - escalate_after(),
            )
            .order_by(ExpertRequest.id)
        )
    )


def escalate_one(request_id: int) -> tuple[int, list[User]] | None:
    """Escalate one request if it is still due; return (round, users) or None.

    Safe to run from several processes at once: the round moves on only where
    it is still the round this run saw.
    """
    request = db.session.get(ExpertRequest, request_id)
    now = clock.now()
    if (
        request is None
        or request.status != "open"
        or request.round >= 3
        or request.last_routed_at > now - escalate_after()
    ):
        return None
    thread = db.session.get(Thread, request.thread_id)
    if thread is None or thread.deleted_at is not None or thread.accepted_post_id:
        return None
    if _answered(request, thread):
        return None
    seen = request.round
    moved = db.session.execute(
        sa.update(ExpertRequest)
        .where(ExpertRequest.id == request.id, ExpertRequest.round == seen)
        .values(round=seen + 1, last_routed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        return None
    db.session.refresh(request)
    new_round = seen + 1
    asker = request.asker
    if new_round == 2:
        users = _route(request, _next_experts(thread, request, asker), 2, "expert")
    else:
        routed = {r.user_id for r in request.routings} | {asker.id, thread.author_id}
        managers = [
            a.account_manager
            for a in thread.accounts
            if a.account_manager is not None
            and _active(a.account_manager)
            and a.account_manager.id not in routed
        ]
        readers = _readers(thread, [m.id for m in managers])
        managers = list(dict.fromkeys(m for m in managers if m.id in readers))
        users = _route(request, managers, 3, "account_manager")
    signals.question_escalated.send(
        request, thread=thread, round=new_round, experts=users
    )
    return new_round, users


def on_answer_accepted(post: Post, thread: Thread, actor: User) -> ResolvedCase | None:
    """Record a routed question as a resolved case when its answer is accepted."""
    request = request_for(thread)
    if request is None:
        return None
    now = clock.now()
    case = db.session.scalar(
        sa.select(ResolvedCase).where(ResolvedCase.thread_id == thread.id)
    )
    if case is None:
        case = ResolvedCase(thread_id=thread.id, request_id=request.id)
        db.session.add(case)
    case.answer_id = post.id
    case.resolved_by_id = actor.id
    case.created_at = now
    request.status = "resolved"
    request.resolved_at = now
    db.session.flush()
    signals.case_resolved.send(
        case, thread=thread, answer=post, request=request, actor=actor
    )
    return case


def on_answer_unaccepted(thread: Thread) -> None:
    """An accepted answer withdrawn (not replaced): the case is open again."""
    if thread.accepted_post_id is not None:
        return
    request = request_for(thread)
    if request is None:
        return
    db.session.execute(
        sa.delete(ResolvedCase).where(ResolvedCase.thread_id == thread.id)
    )
    request.status = "open"
    request.resolved_at = None
    db.session.flush()


def resolved_case(thread_id: int) -> ResolvedCase | None:
    return db.session.scalar(
        sa.select(ResolvedCase).where(ResolvedCase.thread_id == thread_id)
    )


def routed_to(
    user: User, limit: int = 10
) -> list[tuple[ExpertRequest, Thread, Routing]]:
    """Open questions routed to ``user``, most recently routed first."""
    rows = db.session.execute(
        sa.select(ExpertRequest, Thread, Routing)
        .join(Routing, Routing.request_id == ExpertRequest.id)
        .join(Thread, Thread.id == ExpertRequest.thread_id)
        .join(Forum, Forum.id == Thread.forum_id)
        .where(
            Routing.user_id == user.id,
            ExpertRequest.status == "open",
            Thread.deleted_at.is_(None),
            forum_permissions.readable_forums_clause(user),
        )
        .order_by(Routing.created_at.desc(), Routing.id.desc())
        .limit(limit)
    ).all()
    return [tuple(r) for r in rows]


def routed_thread_ids(user: User) -> list[int]:
    """The open questions routed to ``user``, whoever may read them now (a
    leaver's handover lists them)."""
    return sorted(
        set(
            db.session.scalars(
                sa.select(ExpertRequest.thread_id)
                .join(Routing, Routing.request_id == ExpertRequest.id)
                .where(Routing.user_id == user.id, ExpertRequest.status == "open")
            )
        )
    )


def hand_over_routings(leaver: User, successor: User) -> int:
    """Route the open questions routed to ``leaver`` to ``successor`` as well,
    in the same round, so they wait on someone who is still here. Returns how
    many were handed over."""
    requests = db.session.scalars(
        sa.select(ExpertRequest)
        .join(Routing, Routing.request_id == ExpertRequest.id)
        .where(Routing.user_id == leaver.id, ExpertRequest.status == "open")
    ).unique()
    now = clock.now()
    moved = 0
    for request in requests:
        if any(r.user_id == successor.id for r in request.routings):
            continue
        db.session.add(
            Routing(
                request_id=request.id,
                user_id=successor.id,
                round=request.round,
                reason="handover",
                created_at=now,
            )
        )
        moved += 1
    db.session.flush()
    return moved


def could_answer(user: User, limit: int = 5) -> list[Thread]:
    """Unanswered questions under the person's declared and inferred topics."""
    hidden = hidden_topics(user)
    tag_ids = {s.tag_id for s in skills_of(user)}
    tag_ids |= {
        t["tag"].id for t in inferred_topics(user, viewer=user, limit=10, hidden=hidden)
    }
    tag_ids -= {t.id for t in hidden}
    if not tag_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Thread)
            .join(Forum, Forum.id == Thread.forum_id)
            .where(
                Forum.kind == "questions",
                forum_permissions.readable_forums_clause(user),
                Thread.deleted_at.is_(None),
                Thread.reply_count == 0,
                Thread.accepted_post_id.is_(None),
                Thread.author_id != user.id,
                Thread.id.in_(
                    sa.select(thread_tags.c.thread_id).where(
                        thread_tags.c.tag_id.in_(tag_ids)
                    )
                ),
            )
            .order_by(Thread.created_at.desc(), Thread.id.desc())
            .limit(limit)
        )
    )


# Evidence elsewhere that makes someone an expert on a wiki page's subject: at
# least one recent accepted answer's worth, among the top few for a tag.
PAGE_EXPERT_MIN_SCORE = 4.0
PAGE_EXPERTS_PER_TAG = 2
PAGE_EXPERTS_SECONDS = 300


def page_experts(page) -> set[int] | None:
    """The people whose evidence on the page's tags (outside the page) is strong.

    Every reader's view of a wiki page asks (may they validate it?), and
    ranking a tag's experts costs as much as the tag's evidence: the answer is
    kept by the process for ``EXPERTS_PAGE_SECONDS`` (0 in tests), like the
    corpus counts. New evidence makes someone a page's expert that much later.
    """
    if page.id is None or not page.tags:
        return None
    tags = page.tags[:5]
    ttl = float(current_app.config.get("EXPERTS_PAGE_SECONDS", 0))
    key = (page.id, tuple(tag.id for tag in tags))
    cache = current_app.extensions.setdefault("experts.page_experts", {})
    now = clock.now()
    kept = cache.get(key)
    if ttl > 0 and kept is not None and kept[0] > now:
        return set(kept[1])
    found: set[int] = set()
    for tag in tags:
        for s in ranking.rank(
            tag=tag, limit=PAGE_EXPERTS_PER_TAG, explain=False, skip=("page", page.id)
        ):
            if s.score >= PAGE_EXPERT_MIN_SCORE:
                found.add(s.user.id)
    if ttl > 0:
        if len(cache) > 5_000:
            cache.clear()
        cache[key] = (now + timedelta(seconds=ttl), frozenset(found))
    return found
