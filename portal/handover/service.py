"""Handover: open a case, compute the leaver's knowledge footprint, generate the
capture plan, capture answers into account profiles, review, transfer, close.
Knowledge at risk, which reads and never writes, is ``portal.handover.risk``.

Services take plain arguments, flush and never commit; the caller commits.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from portal import clock, signals
from portal.accounts.models import CustomerAccount
from portal.auth import service as auth_service
from portal.auth.models import User
from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.extensions import db
from portal.forums import service as forums_service
from portal.forums.models import Forum, Thread
from portal.handover import evidence, labels, permissions
from portal.handover.models import (
    HandoverCase,
    HandoverItem,
    HandoverSuccessor,
)
from portal.notifications import service as notifications_service
from portal.notifications.models import Watch
from portal.tags.models import Tag
from portal.wiki import service as wiki_service
from portal.wiki.models import Page, Revision

MAX_ANSWER = 50_000
MAX_TITLE = 300
# A page counts as theirs when they wrote at least this share of its text.
PAGE_SHARE = 0.5


def today() -> date:
    return clock.now().date()


# --- finding --------------------------------------------------------------------------


def get_case(case_id: int, viewer) -> HandoverCase:
    """Return the case if ``viewer`` may see it.

    :raises NotFound: when there is no such case or the viewer may not know of it.
    """
    case = db.session.get(HandoverCase, case_id)
    if case is None or not permissions.can_view_case(viewer, case):
        raise NotFound(_("There is no handover %(id)s.", id=case_id))
    return case


def get_item(item_id: int, viewer) -> HandoverItem:
    """Return the item if ``viewer`` may see it.

    :raises NotFound: when there is no such item or it is not the viewer's.
    """
    item = db.session.get(HandoverItem, item_id)
    if item is None or not permissions.can_see_item(viewer, item):
        raise NotFound(_("There is no handover item %(id)s.", id=item_id))
    return item


def visible_items(case: HandoverCase, viewer) -> list[HandoverItem]:
    """The items ``viewer`` may see: all of them, or those handed to them."""
    if permissions.can_see_all_items(viewer, case):
        return list(case.items)
    return [i for i in case.items if i.successor_id == viewer.id]


def open_case_for(user: User) -> HandoverCase | None:
    return db.session.scalar(
        sa.select(HandoverCase).where(
            HandoverCase.leaver_id == user.id, HandoverCase.status != "closed"
        )
    )


def cases_for(viewer) -> list[HandoverCase]:
    """The cases ``viewer`` may see, open ones first, soonest leaving first."""
    stmt = sa.select(HandoverCase).options(
        selectinload(HandoverCase.items),
        selectinload(HandoverCase.successor_links).joinedload(HandoverSuccessor.user),
        sa.orm.joinedload(HandoverCase.leaver),
    )
    if not permissions.can_run_handovers(viewer):
        mine = sa.or_(
            HandoverCase.leaver_id == viewer.id,
            HandoverCase.id.in_(
                sa.select(HandoverSuccessor.case_id).where(
                    HandoverSuccessor.user_id == viewer.id
                )
            ),
        )
        if viewer.department_id is not None and permissions.can_open_case(viewer):
            mine = sa.or_(
                mine,
                HandoverCase.leaver_id.in_(
                    sa.select(User.id).where(User.department_id == viewer.department_id)
                ),
            )
        stmt = stmt.where(mine)
    stmt = stmt.order_by(
        sa.case((HandoverCase.status == "closed", 1), else_=0),
        HandoverCase.leaving_on,
        HandoverCase.id,
    )
    return [c for c in db.session.scalars(stmt) if permissions.can_view_case(viewer, c)]


@dataclass
class Progress:
    total: int
    done: int
    understood: int
    overdue: int
    days_left: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def item_overdue(item: HandoverItem, on: date | None = None) -> bool:
    """Not written down yet, and its due date (or the leaving date) is past."""
    on = on or today()
    due = item.due_on or item.case.leaving_on
    return not item.done and not item.case.closed and due < on


def progress(case: HandoverCase, items=None) -> Progress:
    items = case.items if items is None else items
    on = today()
    return Progress(
        total=len(items),
        done=sum(1 for i in items if i.done),
        understood=sum(1 for i in items if i.status == "understood"),
        overdue=sum(1 for i in items if item_overdue(i, on)),
        days_left=(case.leaving_on - on).days,
    )


# --- input ----------------------------------------------------------------------------


def parse_date(value, field: str = "leaving_on") -> date:
    """:raises Invalid: when ``value`` is not a date (YYYY-MM-DD)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise Invalid(
            _("Give the date as YYYY-MM-DD, for example 2026-12-31."),
            details={"field": field},
        ) from None


def _person(value, field: str) -> User:
    if isinstance(value, User):
        return value
    name = str(value or "").strip().lstrip("@")
    user = (
        db.session.scalar(sa.select(User).where(User.username == name))
        if name
        else None
    )
    if user is None:
        raise Invalid(
            _("There is nobody called “%(name)s”.", name=name)
            if name
            else _("Choose a person."),
            details={"field": field},
        )
    return user


def parse_people(value, field: str = "successors") -> list[User]:
    """Read usernames (a list, or text separated by commas or spaces).

    :raises Invalid: when a name is unknown.
    """
    if isinstance(value, str):
        value = [v for v in value.replace(",", " ").replace("，", " ").split() if v]
    people = []
    for v in value or []:
        user = _person(v, field)
        if user not in people:
            people.append(user)
    return people


def _clean_answer(text) -> str:
    text = str(text or "").strip()
    if not text:
        raise Invalid(_("Write an answer first."), details={"field": "answer"})
    if len(text) > MAX_ANSWER:
        raise Invalid(
            _("An answer may be at most %(n)d characters.", n=MAX_ANSWER),
            details={"field": "answer"},
        )
    return text


# --- successors -----------------------------------------------------------------------


@dataclass
class Suggestion:
    user: User
    score: float
    accounts: list = field(default_factory=list)  # CustomerAccount
    tags: list = field(default_factory=list)  # Tag


def suggest_successors(leaver: User, limit: int = 5) -> list[Suggestion]:
    """Suggest successors: active people who know the leaver's accounts and tags.

    Their evidence on each account and tag the leaver knows is summed, weighted
    by how much that subject matters to the leaver (their own score on it).
    """
    accounts = evidence.person_accounts(leaver.id)
    tags = evidence.person_tags(leaver.id)
    scores: dict[int, float] = {}
    why_accounts: dict[int, list[int]] = {}
    why_tags: dict[int, list[int]] = {}
    by_account = evidence.account_evidence([a for a, *_ in accounts])
    for account_id, mine, *_rest in accounts:
        for e in by_account.get(account_id, []):
            if e.user_id == leaver.id:
                continue
            scores[e.user_id] = scores.get(e.user_id, 0) + e.score * mine.share
            why_accounts.setdefault(e.user_id, []).append(account_id)
    by_tag = evidence.tag_evidence([t for t, _ in tags])
    for tag_id, mine in tags:
        for e in by_tag.get(tag_id, []):
            if e.user_id == leaver.id:
                continue
            scores[e.user_id] = scores.get(e.user_id, 0) + 0.5 * e.score * mine.share
            why_tags.setdefault(e.user_id, []).append(tag_id)
    best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    users = {
        u.id: u
        for u in db.session.scalars(
            sa.select(User).where(User.id.in_([uid for uid, _ in best]))
        )
    }
    account_ids = {a for uid, _ in best for a in why_accounts.get(uid, [])}
    tag_ids = {t for uid, _ in best for t in why_tags.get(uid, [])}
    account_map = _by_id(CustomerAccount, account_ids)
    tag_map = _by_id(Tag, tag_ids)
    return [
        Suggestion(
            users[uid],
            round(score, 2),
            [account_map[a] for a in why_accounts.get(uid, [])[:5]],
            [tag_map[t] for t in why_tags.get(uid, [])[:5]],
        )
        for uid, score in best
        if uid in users and users[uid].is_active
    ]


def _by_id(model, ids) -> dict:
    if not ids:
        return {}
    return {
        o.id: o for o in db.session.scalars(sa.select(model).where(model.id.in_(ids)))
    }


# --- the footprint --------------------------------------------------------------------


def _page_shares(user_id: int) -> list[tuple[int, float, int]]:
    """(page id, the user's share of its text, number of authors) for the live
    pages ``user_id`` wrote in, over their whole history, in one query."""
    mine = sa.select(Revision.page_id).where(Revision.author_id == user_id)
    previous = sa.func.lag(Revision.size, 1, 0).over(
        partition_by=Revision.page_id, order_by=Revision.number
    )
    revs = (
        sa.select(
            Revision.page_id,
            Revision.author_id,
            ((Revision.change_size + Revision.size - previous) // 2).label("added"),
        )
        .where(Revision.page_id.in_(mine))
        .subquery()
    )
    added = sa.case((revs.c.added > 0, revs.c.added), else_=0)
    rows = db.session.execute(
        sa.select(revs.c.page_id, revs.c.author_id, sa.func.sum(added))
        .join(Page, Page.id == revs.c.page_id)
        .where(Page.deleted_at.is_(None), revs.c.author_id.is_not(None))
        .group_by(revs.c.page_id, revs.c.author_id)
    ).all()
    per_page: dict[int, dict[int, int]] = {}
    for page_id, author_id, chars in rows:
        per_page.setdefault(page_id, {})[author_id] = int(chars or 0)
    out = []
    for page_id, authors in per_page.items():
        total = sum(authors.values())
        share = authors.get(user_id, 0) / total if total else 0.0
        out.append((page_id, round(share, 4), sum(1 for n in authors.values() if n)))
    return out


def compute_footprint(leaver: User) -> dict:
    """What ``leaver`` knows that others may not, as plain data (stored as JSON).

    - ``accounts``: where they are the top or the only person with recent
      evidence (``only``, ``share`` of the account's knowledge, ``people``).
    - ``pages``: live pages they wrote most of (``share`` ≥ one half) or alone.
    - ``asked``: their open questions; ``routed``: open questions routed to
      them (answered by the experts package over ``signals.routed_questions``).
    - ``watched``: threads they watch.
    - ``skills``: ``declared`` (what other packages index with the person) and
      ``inferred`` (the tags they have evidence on).
    """
    accounts = []
    account_rows = [row for row in evidence.person_accounts(leaver.id) if row[2] == 0]
    names = _by_id(CustomerAccount, [a for a, *_ in account_rows])
    for account_id, e, _rank, people in account_rows:
        account = names.get(account_id)
        if account is None:
            continue
        accounts.append(
            {
                "id": account_id,
                "name": account.name,
                "tier": account.tier,
                "share": e.share,
                "people": people,
                "only": people == 1,
            }
        )
    pages = []
    page_rows = [r for r in _page_shares(leaver.id) if r[1] >= PAGE_SHARE]
    page_map = _by_id(Page, [r[0] for r in page_rows])
    for page_id, share, authors in sorted(page_rows, key=lambda r: (-r[1], r[0])):
        page = page_map[page_id]
        pages.append(
            {
                "id": page_id,
                "title": page.title,
                "url": page.url,
                "share": share,
                "alone": authors == 1,
                "account_id": page.account_id,
            }
        )
    asked = db.session.execute(
        sa.select(Thread.id, Thread.title)
        .join(Forum, Forum.id == Thread.forum_id)
        .where(
            Thread.author_id == leaver.id,
            Forum.kind == "questions",
            Thread.accepted_post_id.is_(None),
            Thread.deleted_at.is_(None),
        )
        .order_by(Thread.created_at.desc())
    ).all()
    routed_ids = []
    for _receiver, answer in signals.routed_questions.send(leaver):
        routed_ids.extend(answer or [])
    routed = []
    if routed_ids:
        routed = db.session.execute(
            sa.select(Thread.id, Thread.title)
            .where(
                Thread.id.in_(set(routed_ids)),
                Thread.deleted_at.is_(None),
                Thread.accepted_post_id.is_(None),
            )
            .order_by(Thread.id)
        ).all()
    watched = db.session.execute(
        sa.select(Thread.id, Thread.title)
        .join(Watch, sa.and_(Watch.target == "thread", Watch.target_id == Thread.id))
        .where(Watch.user_id == leaver.id, Thread.deleted_at.is_(None))
        .order_by(Thread.last_activity_at.desc())
    ).all()
    declared = []
    for _receiver, answer in signals.person_search_terms.send(leaver):
        declared.extend(str(term) for term in answer or [])
    tag_rows = evidence.person_tags(leaver.id)
    tag_map = _by_id(Tag, [t for t, _ in tag_rows])
    return {
        "computed_at": clock.now().isoformat(),
        "window_days": evidence.window_days(),
        "accounts": accounts,
        "pages": pages,
        "asked": [{"id": i, "title": t} for i, t in asked],
        "routed": [{"id": i, "title": t} for i, t in routed],
        "watched": [{"id": i, "title": t} for i, t in watched],
        "skills": {
            "declared": sorted(set(declared)),
            "inferred": [
                {"id": t, "name": tag_map[t].name, "score": e.score}
                for t, e in tag_rows
                if t in tag_map
            ],
        },
    }


# --- the capture plan -----------------------------------------------------------------


def _item_key(item: HandoverItem) -> tuple:
    return (item.kind, item.prompt, item.account_id, item.page_id, item.thread_id)


def _best_successor(case: HandoverCase, account_id: int | None, known) -> int | None:
    successors = case.successors
    if not successors:
        return None
    if account_id is not None:
        for e in known.get(account_id, []):
            if any(s.id == e.user_id for s in successors):
                return e.user_id
    return successors[0].id


def generate_plan(case: HandoverCase) -> list[HandoverItem]:
    """Add the items the footprint calls for and the case lacks; return the new ones.

    Per account at risk, the eight interview prompts; per page the leaver wrote
    most of, "review and hand over"; per open question, "answer or reassign".
    Each item goes to the successor who knows its account best, else the main
    successor. Items already in the plan are kept as they are.
    """
    fp = case.footprint or {}
    have = {_item_key(i) for i in case.items}
    position = max((i.position for i in case.items), default=0)
    account_ids = [a["id"] for a in fp.get("accounts", [])]
    known = evidence.account_evidence(account_ids) if account_ids else {}
    wanted = []
    for a in fp.get("accounts", []):
        for prompt in labels.ACCOUNT_PROMPTS:
            wanted.append(("account", prompt, a["id"], None, None, a["name"]))
    for p in fp.get("pages", []):
        wanted.append(("page", "page", p.get("account_id"), p["id"], None, p["title"]))
    for kind in ("asked", "routed"):
        for q in fp.get(kind, []):
            wanted.append(("question", kind, None, None, q["id"], q["title"]))
    new = []
    for kind, prompt, account_id, page_id, thread_id, title in wanted:
        if (kind, prompt, account_id, page_id, thread_id) in have:
            continue
        position += 1
        item = HandoverItem(
            case=case,
            kind=kind,
            prompt=prompt,
            title=title[:MAX_TITLE],
            position=position,
            account_id=account_id,
            page_id=page_id,
            thread_id=thread_id,
            successor_id=_best_successor(case, account_id, known),
        )
        db.session.add(item)
        new.append(item)
    db.session.flush()
    return new


# --- opening and refreshing -----------------------------------------------------------


def open_case(
    leaver,
    leaving_on,
    successors,
    actor: User,
    *,
    note: str = "",
) -> HandoverCase:
    """Open a handover case for ``leaver`` with its footprint and capture plan.

    :raises Forbidden: when ``actor`` is neither HR nor the leaver's manager.
    :raises Invalid: when the leaving date is missing or past, there is no
        successor, or a successor is the leaver, departed or deactivated.
    :raises Conflict: when the leaver already has an open case, or has left.
    """
    leaver = _person(leaver, "leaver")
    if not permissions.can_open_case(actor, leaver):
        raise Forbidden(_("Only HR or the person's manager can open a handover."))
    if leaver.departed:
        raise Conflict(
            _("%(name)s has already left.", name=leaver.display_name),
            details={"field": "leaver"},
        )
    leaving_on = parse_date(leaving_on)
    if leaving_on < today():
        raise Invalid(
            _(
                "The leaving date is in the past; a new handover needs a date from "
                "today on."
            ),
            details={"field": "leaving_on"},
        )
    people = parse_people(successors)
    if not people:
        raise Invalid(
            _("Choose at least one successor."), details={"field": "successors"}
        )
    for person in people:
        if person.id == leaver.id:
            raise Invalid(
                _("The leaver cannot be their own successor."),
                details={"field": "successors"},
            )
        if not person.is_active:
            raise Invalid(
                _(
                    "%(name)s has left or is deactivated and cannot be a successor.",
                    name=person.display_name,
                ),
                details={"field": "successors"},
            )
    if open_case_for(leaver) is not None:
        raise Conflict(
            _("%(name)s already has an open handover.", name=leaver.display_name),
            details={"field": "leaver"},
        )
    case = HandoverCase(
        leaver=leaver,
        opened_by=actor,
        leaving_on=leaving_on,
        status="open",
        note=str(note or "").strip()[:1000],
        successor_links=[
            HandoverSuccessor(user=p, position=n) for n, p in enumerate(people)
        ],
    )
    db.session.add(case)
    db.session.flush()
    _set_footprint(case)
    generate_plan(case)
    signals.handover_opened.send(case, leaver=leaver, successors=people, actor=actor)
    return case


def _set_footprint(case: HandoverCase) -> None:
    case.footprint = compute_footprint(case.leaver)
    case.footprint_at = clock.now()
    db.session.flush()


def _require_open(case: HandoverCase) -> None:
    if case.closed:
        raise Conflict(_("This handover is closed: nothing more can be changed."))


def refresh_case(case: HandoverCase, actor: User) -> list[HandoverItem]:
    """Recompute the footprint and add the items it now calls for.

    :raises Forbidden: when the actor does not manage the case.
    :raises Conflict: when the case is closed.
    """
    if not permissions.can_manage_case(actor, case):
        raise Forbidden(_("Only HR or the manager can refresh a handover."))
    _require_open(case)
    _set_footprint(case)
    return generate_plan(case)


def add_item(
    case: HandoverCase,
    title: str,
    actor: User,
    *,
    account=None,
    successor=None,
    due_on=None,
) -> HandoverItem:
    """Add an item of HR's own to the plan.

    :raises Forbidden: when the actor does not manage the case.
    :raises Conflict: when the case is closed.
    :raises Invalid: when the title is empty or too long, the successor is not
        one of the case's, or the due date is not a date.
    """
    if not permissions.can_manage_case(actor, case):
        raise Forbidden(_("Only HR or the manager can add handover items."))
    _require_open(case)
    title = str(title or "").strip()
    if not title:
        raise Invalid(_("Say what should be written down."), details={"field": "title"})
    if len(title) > MAX_TITLE:
        raise Invalid(
            _("A title may be at most %(n)d characters.", n=MAX_TITLE),
            details={"field": "title"},
        )
    account_obj = None
    if account:
        if isinstance(account, CustomerAccount):
            account_obj = account
        else:
            found = wiki_service.parse_accounts(account)
            account_obj = found[0] if found else None
    successor_id = case.successors[0].id if case.successors else None
    if successor:
        person = _person(successor, "successor")
        if person.id not in {s.id for s in case.successors}:
            raise Invalid(
                _(
                    "%(name)s is not a successor in this handover.",
                    name=person.display_name,
                ),
                details={"field": "successor"},
            )
        successor_id = person.id
    item = HandoverItem(
        case=case,
        kind="custom",
        prompt="custom",
        title=title,
        position=max((i.position for i in case.items), default=0) + 1,
        account_id=account_obj.id if account_obj else None,
        successor_id=successor_id,
        due_on=parse_date(due_on, "due_on") if due_on else None,
        created_by=actor,
    )
    db.session.add(item)
    db.session.flush()
    return item


# --- capturing ------------------------------------------------------------------------


def _check_answerable(item: HandoverItem, actor: User) -> None:
    if item.case.closed:
        raise Conflict(
            _("This handover is closed: its items take no more answers."),
            details={"field": "answer"},
        )
    if not permissions.can_answer_item(actor, item):
        raise Forbidden(_("Only the person leaving answers their handover items."))


def save_draft(item: HandoverItem, text: str, actor: User) -> HandoverItem:
    """Keep what the leaver has typed so far, without handing it over.

    :raises Conflict: when the case is closed.
    :raises Forbidden: when the actor is not the leaver.
    :raises Invalid: when the answer is empty or too long.
    """
    _check_answerable(item, actor)
    item.answer = _clean_answer(text)
    item.saved_at = clock.now()
    if item.status == "pending":
        item.status = "drafted"
    _started(item.case)
    db.session.flush()
    return item


def _started(case: HandoverCase) -> None:
    if case.status == "open":
        case.status = "in_progress"


def section_heading(item: HandoverItem) -> str:
    """The heading an account item's answer has in the profile page: the same
    for every save of the item, so saving again replaces the section."""
    topic = labels.PROMPT_HEADINGS.get(item.prompt, labels.PROMPT_HEADINGS["custom"])
    if item.kind == "custom":
        topic = f"{topic}: {item.title}"
    return f"## {topic} ({item.case.leaver.display_name})"


def _with_section(body: str, heading: str, answer: str) -> str:
    section = f"{heading}\n\n{answer.strip()}\n"
    lines = body.rstrip("\n").split("\n") if body.strip() else []
    if heading in lines:
        start = lines.index(heading)
        end = next(
            (n for n in range(start + 1, len(lines)) if lines[n].startswith("## ")),
            len(lines),
        )
        kept = lines[:start] + section.rstrip("\n").split("\n") + [""] + lines[end:]
        return "\n".join(kept).rstrip("\n") + "\n"
    if not lines:
        return section
    return "\n".join(lines) + "\n\n" + section


def _handover_page_title(account: CustomerAccount) -> str:
    return f"{account.name[:150]} — 交接 Handover"


def _write_into_account(
    item: HandoverItem, answer: str, author: User
) -> Revision | None:
    """Write the answer as a new, attributed revision of the account's profile
    page (created if missing); if a moderator deleted the profile, of the
    account's handover page instead."""
    account = item.account
    heading = section_heading(item)
    summary = _(
        "Handover: %(topic)s",
        topic=labels.prompt_label(item.prompt)
        if item.kind == "account"
        else item.title,
    )[:300]
    page = wiki_service.profile_page(account)
    if page is None or not page.deleted:
        current = page.current_revision if page is not None else None
        body = _with_section(current.body if current else "", heading, answer)
        page = wiki_service.save_profile(
            account,
            body,
            author,
            base_revision=current.number if current else None,
            summary=summary,
        )
        return page.current_revision
    title = _handover_page_title(account)
    _title, slug = wiki_service.clean_title(title)
    page = wiki_service.find_page(slug)
    if page is None:
        page = wiki_service.create_page(
            title,
            _with_section("", heading, answer),
            author,
            summary=summary,
            accounts=[account],
        )
        return page.current_revision
    body = _with_section(page.current_revision.body, heading, answer)
    return (
        wiki_service.edit_page(
            page,
            body,
            author,
            base_revision=page.current_revision.number,
            summary=summary,
        )
        or page.current_revision
    )


def capture(item: HandoverItem, text: str, actor: User) -> HandoverItem:
    """Hand the leaver's answer over: keep it, and where it is about an account
    write it into the account's profile page as their revision, so search finds
    it and it counts as evidence. An answer to a question routed to the leaver
    is posted in its thread.

    :raises Conflict: when the case is closed (or the wiki refuses the save).
    :raises Forbidden: when the actor is not the leaver.
    :raises Invalid: when the answer is empty or too long.
    """
    _check_answerable(item, actor)
    answer = _clean_answer(text)
    item.answer = answer
    item.saved_at = clock.now()
    revision = None
    if item.account_id is not None and item.kind in ("account", "custom"):
        revision = _write_into_account(item, answer, actor)
        if revision is not None:
            item.revision_id = revision.id
    elif item.kind == "question" and item.prompt == "routed" and not item.done:
        thread = db.session.get(Thread, item.thread_id)
        if thread is not None:
            forums_service.reply(thread, actor, answer)
    first = not item.done
    if item.status in ("pending", "drafted"):
        item.status = "captured"
    item.captured_at = item.captured_at or clock.now()
    _started(item.case)
    db.session.flush()
    if first:
        signals.handover_item_captured.send(
            item, case=item.case, actor=actor, revision=revision
        )
    return item


# --- internalization by the successor -------------------------------------------------


def review(
    item: HandoverItem, outcome: str, actor: User, *, note: str = ""
) -> HandoverItem:
    """The successor marks a written-down item understood, or asks for a session.

    Understanding a question item makes the successor watch its thread.

    :raises Conflict: when the case is closed or nothing is written down yet.
    :raises Forbidden: when the actor is not the item's successor (or HR).
    :raises Invalid: when the outcome is neither "understood" nor "session".
    """
    if item.case.closed:
        raise Conflict(_("This handover is closed: nothing more can be changed."))
    if not permissions.can_review_item(actor, item):
        raise Forbidden(_("Only the successor reviews this item."))
    if outcome not in ("understood", "session"):
        raise Invalid(_("Choose “understood” or “ask for a session”."))
    if outcome == "understood" and not item.done:
        raise Conflict(
            _("Nothing is written down for this item yet; ask for a session instead.")
        )
    before = item.status
    item.status = outcome
    item.review_note = str(note or "").strip()[:1000]
    item.reviewed_at = clock.now()
    successor = db.session.get(User, item.successor_id) if item.successor_id else actor
    if item.thread_id is not None and outcome == "understood":
        notifications_service.watch(successor, "thread", item.thread_id)
    _started(item.case)
    db.session.flush()
    if outcome == "understood" and before != "understood":
        signals.handover_item_understood.send(item, case=item.case, actor=actor)
    return item


def transfer_watches(case: HandoverCase) -> int:
    """Make the main successor watch what the leaver watches (threads), and the
    leaver's open questions. Return how many threads they newly watch."""
    if not case.successors:
        return 0
    successor = case.successors[0]
    ids = set(
        db.session.scalars(
            sa.select(Watch.target_id).where(
                Watch.user_id == case.leaver_id, Watch.target == "thread"
            )
        )
    )
    ids |= {q["id"] for q in (case.footprint or {}).get("asked", [])}
    ids |= {i.thread_id for i in case.items if i.thread_id is not None}
    live = (
        set(
            db.session.scalars(
                sa.select(Thread.id).where(
                    Thread.id.in_(ids), Thread.deleted_at.is_(None)
                )
            )
        )
        if ids
        else set()
    )
    added = 0
    for thread_id in sorted(live):
        if not notifications_service.is_watching(successor, "thread", thread_id):
            notifications_service.watch(successor, "thread", thread_id)
            added += 1
    db.session.flush()
    return added


def handed_over_threads(case: HandoverCase) -> list[tuple[int, str, bool]]:
    """(thread id, title, whether the main successor watches it) for the threads
    the leaver watches or asked."""
    fp = case.footprint or {}
    threads = {q["id"]: q["title"] for q in fp.get("watched", []) + fp.get("asked", [])}
    if not threads or not case.successors:
        return [(i, t, False) for i, t in threads.items()]
    watched = set(
        db.session.scalars(
            sa.select(Watch.target_id).where(
                Watch.user_id == case.successors[0].id,
                Watch.target == "thread",
                Watch.target_id.in_(threads),
            )
        )
    )
    return [(i, t, i in watched) for i, t in threads.items()]


# --- closing --------------------------------------------------------------------------


def close_case(case: HandoverCase, actor: User | None) -> HandoverCase:
    """Close the case: the leaver is marked departed (they can no longer log
    in; their content stays attributed), what they watch and asked goes to the
    main successor, and ``handover_closed`` tells the experts package to move
    the questions routed to them.

    ``actor`` None is the scheduled close on the leaving date.

    :raises Forbidden: when the actor does not manage the case.
    :raises Conflict: when the case is already closed.
    """
    if actor is not None and not permissions.can_manage_case(actor, case):
        raise Forbidden(_("Only HR or the manager can close a handover."))
    if case.closed:
        raise Conflict(_("This handover is already closed."))
    leaver = case.leaver
    transfer_watches(case)
    if not leaver.departed:
        auth_service.deactivate(leaver, actor, departed=True)
    case.status = "closed"
    case.closed_at = clock.now()
    case.closed_by = actor
    db.session.flush()
    signals.handover_closed.send(
        case, leaver=leaver, successors=case.successors, actor=actor
    )
    return case


def due_cases(on: date | None = None) -> list[int]:
    """The ids of the cases still open after their leaving date."""
    on = on or today()
    return list(
        db.session.scalars(
            sa.select(HandoverCase.id)
            .where(HandoverCase.status != "closed", HandoverCase.leaving_on < on)
            .order_by(HandoverCase.id)
        )
    )


# --- what people have to do -----------------------------------------------------------


@dataclass
class Tasks:
    leaving: HandoverCase | None = None
    to_write: int = 0
    to_review: list = field(default_factory=list)  # HandoverItem
    cases: list = field(default_factory=list)  # (HandoverCase, Progress)

    @property
    def empty(self) -> bool:
        return self.leaving is None and not self.to_review and not self.cases


def tasks_for(user: User) -> Tasks:
    """What ``user`` has to do in handovers: as leaver, successor, manager or HR."""
    tasks = Tasks()
    mine = open_case_for(user)
    if mine is not None:
        tasks.leaving = mine
        tasks.to_write = sum(1 for i in mine.items if not i.done)
    tasks.to_review = list(
        db.session.scalars(
            sa.select(HandoverItem)
            .join(HandoverCase)
            .where(
                HandoverItem.successor_id == user.id,
                HandoverItem.status == "captured",
                HandoverCase.status != "closed",
            )
            .order_by(HandoverItem.captured_at)
            .limit(10)
        )
    )
    if permissions.can_open_case(user):
        for case in cases_for(user):
            if case.closed or case.leaver_id == user.id:
                continue
            if permissions.can_manage_case(user, case):
                tasks.cases.append((case, progress(case)))
    return tasks
