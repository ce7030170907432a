"""What the handover package shows on pages other packages own: the account's
risk and open handovers, handover events on the account timeline, and the
viewer's handover tasks on the home page."""

import sqlalchemy as sa
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from portal import signals, versions
from portal.extensions import db
from portal.forums.permissions import reading_scope
from portal.handover import at_risk, permissions, service
from portal.handover.models import HandoverCase, HandoverItem, HandoverSuccessor
from portal.lru import LRU
from portal.signals import Panel, Person, TimelineEvent

# Per account, kept while its versions stay: who takes part in a handover
# about it, and the timeline events everyone else sees.
KEPT = "handover.account_kept"


def _kept(key, account, compute):
    return versions.remembered(
        current_app.extensions[KEPT],
        key,
        (versions.account(account.id), versions.ALL),
        compute,
    )


def _bystander(viewer, account) -> bool:
    """Whether ``viewer`` sees this account's handovers as every colleague
    does: they assess no risk and take part in none of its handovers (as the
    leaver or a successor), so they see no case and no item of them."""
    if (
        not getattr(viewer, "is_authenticated", False)
        or permissions.can_view_risk(viewer)
        or permissions.can_run_handovers(viewer)
    ):
        return False
    return viewer.id not in _kept(
        ("participants", account.id), account, lambda: _participants(account.id)
    )


def _participants(account_id: int) -> frozenset[int]:
    cases = sa.select(HandoverItem.case_id).where(HandoverItem.account_id == account_id)
    found = db.session.scalars(
        sa.union(
            sa.select(HandoverCase.leaver_id).where(HandoverCase.id.in_(cases)),
            sa.select(HandoverSuccessor.user_id).where(
                HandoverSuccessor.case_id.in_(cases)
            ),
            sa.select(HandoverItem.successor_id).where(
                HandoverItem.account_id == account_id,
                HandoverItem.successor_id.is_not(None),
            ),
        )
    )
    return frozenset(found)


def account_panel(account, viewer=None, **kwargs) -> Panel:
    """The account's risk level and reason, and any open handover touching it
    that the viewer may see (only those viewers hear who is leaving)."""
    if _bystander(viewer, account):
        # No case to show; the risk as everyone in the viewer's scope sees it.
        return Panel(
            "handover/_account_panel.html",
            lambda: {
                "account": account,
                "risk": at_risk.risk_for_account(
                    account, with_cases=False, viewer=viewer
                ),
                "cases": [],
                "can_view_risk": False,
            },
            order=35,
            key=("bystander", reading_scope(viewer)),
        )
    cases_visible = permissions.can_view_risk(viewer)
    risk = at_risk.risk_for_account(account, with_cases=cases_visible, viewer=viewer)
    cases = []
    for case in db.session.scalars(
        sa.select(HandoverCase)
        .where(
            HandoverCase.status != "closed",
            HandoverCase.id.in_(
                sa.select(HandoverItem.case_id).where(
                    HandoverItem.account_id == account.id
                )
            ),
        )
        .order_by(HandoverCase.leaving_on)
    ):
        if permissions.can_view_case(viewer, case):
            cases.append(case)
    return Panel(
        "handover/_account_panel.html",
        {
            "account": account,
            "risk": risk,
            "cases": cases,
            "can_view_risk": cases_visible,
        },
        order=35,
    )


def _item_event(item: HandoverItem, account, viewer) -> TimelineEvent:
    from portal.handover.labels import prompt_label

    topic = prompt_label(item.prompt) if item.kind == "account" else item.title
    return TimelineEvent(
        when=item.captured_at,
        kind="handover",
        title=_("Handover: %(topic)s", topic=topic),
        url=item.url if permissions.can_see_item(viewer, item) else account.url,
        actor=Person.of(item.case.leaver),
    )


def _case_events(case: HandoverCase, viewer, before=None) -> list[TimelineEvent]:
    """When a handover opened and closed, for those who may see the case."""
    if not permissions.can_view_case(viewer, case):
        return []
    name = case.leaver.display_name
    moments = [
        (
            case.created_at,
            _("Handover opened for %(name)s", name=name),
            case.opened_by,
        ),
        (
            case.closed_at,
            _("Handover closed: %(name)s left", name=name),
            case.closed_by,
        ),
    ]
    return [
        TimelineEvent(
            when=when,
            kind="handover",
            title=title,
            url=case.url,
            actor=Person.of(actor),
        )
        for when, title, actor in moments
        if when is not None and (before is None or when < before)
    ]


def _cases_about(account_ids):
    """(HandoverCase, account id): the cases with an item about each account."""
    pairs = (
        sa.select(HandoverItem.case_id, HandoverItem.account_id)
        .where(HandoverItem.account_id.in_(account_ids))
        .distinct()
        .subquery()
    )
    return sa.select(HandoverCase, pairs.c.account_id).join(
        pairs, pairs.c.case_id == HandoverCase.id
    )


def account_events(account, viewer=None, before=None, limit=20, **kwargs):
    """Handover events about the account: answers captured into its profile
    (public, like the revisions they became) and, for those who may see the
    case, when a handover touching it opened and closed.

    A bystander (``_bystander``) sees the same events as every other: they
    are kept for all of them.
    """
    if _bystander(viewer, account):
        return _kept(
            ("events", account.id, str(get_locale()), before, limit),
            account,
            lambda: tuple(_account_events(account, viewer, before, limit)),
        )
    return _account_events(account, viewer, before, limit)


def _account_events(account, viewer, before, limit) -> list[TimelineEvent]:
    stmt = (
        sa.select(HandoverItem)
        .where(
            HandoverItem.account_id == account.id,
            HandoverItem.captured_at.is_not(None),
        )
        .order_by(HandoverItem.captured_at.desc(), HandoverItem.id.desc())
        .limit(limit)
    )
    if before is not None:
        stmt = stmt.where(HandoverItem.captured_at < before)
    events = [_item_event(item, account, viewer) for item in db.session.scalars(stmt)]
    for case, _account_id in db.session.execute(_cases_about([account.id])):
        events.extend(_case_events(case, viewer, before))
    events.sort(key=lambda e: e.when, reverse=True)
    return events[:limit]


def accounts_recent_events(viewer, accounts=(), limit=2, **kwargs):
    """The newest ``limit`` events of ``account_events`` for each account, in
    two queries."""
    by_id = {a.id: a for a in accounts}
    if not by_id:
        return {}
    rank = sa.func.row_number().over(
        partition_by=HandoverItem.account_id,
        order_by=(HandoverItem.captured_at.desc(), HandoverItem.id.desc()),
    )
    ranked = (
        sa.select(HandoverItem.id, rank.label("rank"))
        .where(
            HandoverItem.account_id.in_(list(by_id)),
            HandoverItem.captured_at.is_not(None),
        )
        .subquery()
    )
    items = db.session.scalars(
        sa.select(HandoverItem)
        .join(ranked, ranked.c.id == HandoverItem.id)
        .where(ranked.c.rank <= limit)
    )
    out: dict[int, list] = {}
    for item in items:
        event = _item_event(item, by_id[item.account_id], viewer)
        out.setdefault(item.account_id, []).append(event)
    for case, account_id in db.session.execute(_cases_about(list(by_id))):
        out.setdefault(account_id, []).extend(_case_events(case, viewer))
    for events in out.values():
        events.sort(key=lambda e: e.when, reverse=True)
        del events[limit:]
    return out


def home_panel(viewer, **kwargs) -> Panel | None:
    if not getattr(viewer, "is_authenticated", False):
        return None
    tasks = service.tasks_for(viewer)
    if tasks.empty:
        return None
    return Panel("handover/_home_panel.html", {"tasks": tasks}, order=15)


# --- what a flush changes on the accounts' pages ----------------------------------


def _accounts_of_cases(session, case_ids) -> set[str]:
    found = session.connection().execute(
        sa.select(HandoverItem.account_id)
        .where(HandoverItem.case_id.in_(case_ids), HandoverItem.account_id.is_not(None))
        .distinct()
    )
    return {versions.account(a) for a in found.scalars()}


def _items_touch(session, items) -> set[str]:
    # The accounts the items are about now, and those they just stopped being about.
    subjects = {versions.account(i.account_id) for i in items if i.account_id}
    for item in items:
        subjects.update(
            versions.account(a) for a in versions.removed(item, "account_id") if a
        )
    return subjects


def _cases_touch(session, cases) -> set[str]:
    return _accounts_of_cases(session, {c.id for c in cases})


def _successors_touch(session, links) -> set[str]:
    return _accounts_of_cases(session, {link.case_id for link in links})


def init_app(app) -> None:
    app.extensions[KEPT] = LRU(app.config.get("TIMELINE_CACHE_SIZE", 1000))


def connect() -> None:
    versions.on_flush(HandoverItem, _items_touch)
    versions.on_flush(HandoverCase, _cases_touch)
    versions.on_flush(HandoverSuccessor, _successors_touch)
    signals.account_panels.connect(account_panel)
    signals.account_timeline.connect(account_events)
    signals.accounts_recent_events.connect(accounts_recent_events)
    signals.home_panels.connect(home_panel)
