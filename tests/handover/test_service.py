"""Cases: opening, footprint, plan, capture, review, closing, bad input."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal import clock, signals
from portal.auth import service as auth_service
from portal.errors import Conflict, Forbidden, Invalid
from portal.extensions import db
from portal.forums.models import Post
from portal.handover import labels, service
from portal.handover.models import HandoverItem
from portal.incentives.models import PointEntry
from portal.notifications import service as notifications_service
from portal.wiki import service as wiki_service
from tests.forums.factories import make_thread


def _future(days=30):
    return clock.now().date() + timedelta(days=days)


@pytest.fixture
def footprinted(people, make_account, evidence_for, write_profile, qforum):
    """Li Wei alone knows ACME, is top on Globex, shares Initech; wrote a page
    alone; asked an open question; watches a thread."""
    acme = make_account("ACME", tier="strategic")
    globex = make_account("Globex", tier="key")
    initech = make_account("Initech")
    evidence_for(acme, people.leaver)  # only Li Wei
    write_profile(acme, people.leaver, "ACME buys yearly.")
    evidence_for(globex, people.successor, people.leaver)
    evidence_for(globex, people.successor, people.leaver)
    for _ in range(3):
        evidence_for(initech, people.leaver, people.second)
    page = wiki_service.create_page("Renewal tricks", "Call in March.", people.leaver)
    db.session.commit()
    open_q = make_thread(qforum, people.leaver, "Who signs for ACME?")
    watched = make_thread(qforum, people.bystander, "Globex outage")
    notifications_service.watch(people.leaver, "thread", watched.id)
    db.session.commit()
    return {
        "acme": acme,
        "globex": globex,
        "initech": initech,
        "page": page,
        "open_q": open_q,
        "watched": watched,
    }


def test_footprint_lists_accounts_pages_questions_watches_skills(people, footprinted):
    fp = service.compute_footprint(people.leaver)
    accounts = {a["name"]: a for a in fp["accounts"]}
    assert set(accounts) == {"ACME", "Globex"}  # not Initech: Sun Hao is top
    assert accounts["ACME"]["only"] is True
    assert accounts["Globex"]["only"] is False
    titles = {p["title"]: p for p in fp["pages"]}
    assert titles["Renewal tricks"]["alone"] is True
    assert "Who signs for ACME?" in [q["title"] for q in fp["asked"]]
    assert "Globex outage" in [q["title"] for q in fp["watched"]]
    assert fp["skills"]["declared"] == []


def test_footprint_includes_questions_routed_by_other_packages(people, footprinted):
    def routed(sender, **kw):
        return [footprinted["watched"].id]

    signals.routed_questions.connect(routed)
    try:
        fp = service.compute_footprint(people.leaver)
    finally:
        signals.routed_questions.disconnect(routed)
    assert [q["title"] for q in fp["routed"]] == ["Globex outage"]


def test_plan_has_the_prompts_per_account_and_items_for_pages_and_questions(
    people, footprinted, open_case
):
    case = open_case()
    by_account = {}
    for item in case.items:
        if item.kind == "account":
            by_account.setdefault(item.account.name, []).append(item.prompt)
    assert by_account["ACME"] == list(labels.ACCOUNT_PROMPTS)
    assert set(by_account) == {"ACME", "Globex"}
    assert {"identification", "channels", "needs", "behaviour", "value"} <= set(
        by_account["ACME"]
    )
    kinds = {(i.kind, i.prompt, i.title) for i in case.items if i.kind != "account"}
    assert ("page", "page", "Renewal tricks") in kinds
    assert ("question", "asked", "Who signs for ACME?") in kinds
    assert all(i.successor_id == people.successor.id for i in case.items)
    # Refreshing adds only what is new.
    count = len(case.items)
    assert service.refresh_case(case, people.hr) == []
    assert len(case.items) == count


def test_opening_sends_handover_opened(people, footprinted):
    seen = []

    def receiver(sender, **kw):
        seen.append((sender, kw))

    signals.handover_opened.connect(receiver)
    try:
        case = service.open_case(people.leaver, _future(), "wang, sun", people.manager)
    finally:
        signals.handover_opened.disconnect(receiver)
    assert seen[0][0] is case
    assert seen[0][1]["successors"] == [people.successor, people.second]
    assert seen[0][1]["actor"] is people.manager


def test_successors_are_suggested_from_the_same_accounts(people, footprinted):
    suggestions = service.suggest_successors(people.leaver)
    names = [s.user.username for s in suggestions]
    assert people.leaver.username not in names
    assert set(names) >= {"wang", "sun"}
    auth_service.deactivate(people.successor, departed=True)
    db.session.commit()
    assert "wang" not in [
        s.user.username for s in service.suggest_successors(people.leaver)
    ]


@pytest.mark.parametrize(
    "leaving_on, successors, message",
    [
        (clock.now().date() - timedelta(days=1), "wang", "in the past"),
        ("31/12/2026", "wang", "YYYY-MM-DD"),
        (None, "wang", "YYYY-MM-DD"),
        ("+30", "", "at least one successor"),
        ("+30", "liwei", "own successor"),
        ("+30", "nobody", "nobody called"),
        ("+30", "gone", "cannot be a successor"),
    ],
)
def test_bad_input_when_opening(people, make, leaving_on, successors, message):
    gone = make.user("gone", display_name="Gone Person")
    auth_service.deactivate(gone, departed=True)
    db.session.commit()
    if leaving_on == "+30":
        leaving_on = _future()
    with pytest.raises(Invalid) as error:
        service.open_case(people.leaver, leaving_on, successors, people.hr)
    assert message in error.value.message


def test_a_second_open_case_for_the_same_person_is_a_conflict(people, open_case):
    open_case()
    with pytest.raises(Conflict):
        service.open_case(people.leaver, _future(), "sun", people.hr)


def test_only_hr_or_the_department_manager_open_a_case(people):
    for actor in (people.bystander, people.other_manager, people.successor):
        with pytest.raises(Forbidden):
            service.open_case(people.leaver, _future(), "wang", actor)
    assert service.open_case(people.leaver, _future(), "wang", people.manager)


def _item(case, prompt, account=None):
    return next(
        i
        for i in case.items
        if i.prompt == prompt and (account is None or i.account_id == account.id)
    )


def test_capture_writes_an_attributed_revision_into_the_profile(
    people, footprinted, open_case
):
    case = open_case()
    acme = footprinted["acme"]
    item = _item(case, "contacts", acme)
    service.save_draft(item, "Draft: Mr Zhao", people.leaver)
    db.session.commit()
    assert item.status == "drafted" and case.status == "in_progress"
    page = wiki_service.profile_page(acme)
    assert "Mr Zhao" not in page.current_revision.body  # a draft stays private
    service.capture(item, "Mr Zhao decides; he cares about uptime.", people.leaver)
    db.session.commit()
    page = wiki_service.profile_page(acme)
    revision = page.current_revision
    assert revision.author_id == people.leaver.id
    assert "ACME buys yearly." in revision.body  # earlier text kept
    assert "Mr Zhao decides" in revision.body
    assert "Key contacts" in revision.body
    assert item.revision_id == revision.id and item.status == "captured"
    # Saving again replaces the section instead of adding a second one.
    service.capture(item, "Ms Qian decides now.", people.leaver)
    db.session.commit()
    body = wiki_service.profile_page(acme).current_revision.body
    assert "Ms Qian decides now." in body and "Mr Zhao" not in body
    assert body.count("Key contacts") == 1
    # The leaver earns the handover points once.
    points = db.session.scalars(
        sa.select(PointEntry).where(PointEntry.rule == "handover_item_completed")
    ).all()
    assert [(p.user_id, p.points) for p in points] == [(people.leaver.id, 5)]


def test_capture_creates_the_profile_when_the_account_has_none(
    people, footprinted, open_case
):
    case = open_case()
    globex = footprinted["globex"]
    assert wiki_service.profile_page(globex) is None
    service.capture(_item(case, "needs", globex), "They need SSO.", people.leaver)
    db.session.commit()
    page = wiki_service.profile_page(globex)
    assert page.current_revision.author_id == people.leaver.id
    assert "They need SSO." in page.current_revision.body


def test_capture_counts_as_evidence_of_the_leaver(people, footprinted, open_case):
    from portal.handover import evidence

    case = open_case()
    globex = footprinted["globex"]
    before = {e.user_id: e for e in evidence.account_evidence([globex.id])[globex.id]}
    service.capture(_item(case, "needs", globex), "They need SSO.", people.leaver)
    db.session.commit()
    after = {e.user_id: e for e in evidence.account_evidence([globex.id])[globex.id]}
    assert after[people.leaver.id].revisions == before[people.leaver.id].revisions + 1


def test_only_the_leaver_answers_and_not_an_empty_answer(
    people, footprinted, open_case
):
    case = open_case()
    item = _item(case, "needs")
    with pytest.raises(Forbidden):
        service.capture(item, "text", people.successor)
    with pytest.raises(Invalid):
        service.capture(item, "   ", people.leaver)


def test_successor_review_marks_understood_and_earns(people, footprinted, open_case):
    case = open_case()
    item = _item(case, "needs", footprinted["acme"])
    with pytest.raises(Conflict):
        service.review(item, "understood", people.successor)  # nothing written yet
    service.capture(item, "Yearly budget in March.", people.leaver)
    with pytest.raises(Forbidden):
        service.review(item, "understood", people.bystander)
    with pytest.raises(Invalid):
        service.review(item, "maybe", people.successor)
    service.review(item, "understood", people.successor)
    db.session.commit()
    assert item.status == "understood"
    points = db.session.scalars(
        sa.select(PointEntry).where(PointEntry.rule == "handover_item_understood")
    ).all()
    assert [p.user_id for p in points] == [people.successor.id]
    other = _item(case, "value", footprinted["acme"])
    service.review(other, "session", people.successor, note="Let us meet")
    assert other.status == "session" and other.review_note == "Let us meet"


def test_understanding_a_question_item_makes_the_successor_watch_it(
    people, footprinted, open_case
):
    case = open_case()
    item = _item(case, "asked")
    service.capture(item, "Ask Mr Zhao's assistant.", people.leaver)
    service.review(item, "understood", people.successor)
    db.session.commit()
    assert notifications_service.is_watching(
        people.successor, "thread", footprinted["open_q"].id
    )


def test_a_routed_question_answered_is_posted_in_its_thread(
    people, footprinted, open_case
):
    def routed(sender, **kw):
        return [footprinted["watched"].id]

    signals.routed_questions.connect(routed)
    try:
        case = open_case()
    finally:
        signals.routed_questions.disconnect(routed)
    item = _item(case, "routed")
    service.capture(item, "Restart the gateway first.", people.leaver)
    db.session.commit()
    bodies = db.session.scalars(
        sa.select(Post.body).where(Post.thread_id == footprinted["watched"].id)
    ).all()
    assert "Restart the gateway first." in bodies


def test_hr_adds_items(people, footprinted, open_case):
    case = open_case(successors=[people.successor, people.second])
    item = service.add_item(
        case, "Passwords of the demo system", people.hr, account="ACME", successor="sun"
    )
    assert item.kind == "custom" and item.successor_id == people.second.id
    assert item.account_id == footprinted["acme"].id
    with pytest.raises(Invalid):
        service.add_item(case, "", people.hr)
    with pytest.raises(Invalid):
        service.add_item(case, "x", people.hr, successor="zed")
    with pytest.raises(Forbidden):
        service.add_item(case, "x", people.leaver)
    service.capture(item, "In the safe.", people.leaver)
    db.session.commit()
    body = wiki_service.profile_page(footprinted["acme"]).current_revision.body
    assert "Passwords of the demo system" in body and "In the safe." in body


def test_closing_marks_departed_keeps_attribution_and_moves_questions(
    people, footprinted, open_case
):
    case = open_case()
    item = _item(case, "contacts", footprinted["acme"])
    service.capture(item, "Mr Zhao.", people.leaver)
    db.session.commit()
    seen = []

    def receiver(sender, **kw):
        seen.append((sender, kw))

    signals.handover_closed.connect(receiver)
    try:
        service.close_case(case, people.hr)
        db.session.commit()
    finally:
        signals.handover_closed.disconnect(receiver)
    assert case.status == "closed"
    leaver = people.leaver
    assert leaver.departed and not leaver.is_active
    with pytest.raises(Forbidden):
        auth_service.authenticate("liwei", "correct horse battery")
    # Content stays attributed to the leaver.
    page = wiki_service.profile_page(footprinted["acme"])
    assert page.current_revision.author_id == leaver.id
    assert footprinted["open_q"].author_id == leaver.id
    # Their open question and the threads they watched are the successor's now.
    for thread in (footprinted["open_q"], footprinted["watched"]):
        assert notifications_service.is_watching(people.successor, "thread", thread.id)
    # The experts package is told, to move the questions routed to the leaver.
    assert seen[0][0] is case
    assert seen[0][1]["leaver"] is leaver
    assert seen[0][1]["successors"] == [people.successor]
    assert seen[0][1]["actor"] is people.hr


def test_a_closed_case_refuses_answers_and_a_second_close(
    people, footprinted, open_case
):
    case = open_case()
    item = _item(case, "needs")
    service.close_case(case, people.hr)
    db.session.commit()
    with pytest.raises(Conflict) as error:
        service.capture(item, "Too late", people.leaver)
    assert "closed" in error.value.message
    with pytest.raises(Conflict):
        service.save_draft(item, "Too late", people.leaver)
    with pytest.raises(Conflict):
        service.close_case(case, people.hr)


def test_close_due_closes_only_cases_past_their_leaving_date(
    people, footprinted, open_case, runner, make
):
    late = open_case()
    other = make.user("kim", display_name="Kim", department=people.leaver.department)
    soon = open_case(leaver=other, successors=[people.second])
    future = clock.now() + timedelta(days=31)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("portal.clock.now", lambda: future)
        result = runner.invoke(args=["handover", "close-due"])
        assert result.exit_code == 0, result.output
        assert "2 handovers closed" in result.output
        again = runner.invoke(args=["handover", "close-due"])
        assert "0 handovers closed" in again.output
    db.session.expire_all()
    assert late.status == "closed" and late.closed_by is None
    assert late.leaver.departed
    assert soon.status == "closed"


def test_progress_counts_done_and_overdue(people, footprinted, open_case):
    case = open_case(days=1)
    total = len(case.items)
    service.capture(_item(case, "needs", footprinted["acme"]), "x", people.leaver)
    p = service.progress(case)
    assert (p.total, p.done, p.overdue, p.days_left) == (total, 1, 0, 1)
    later = clock.now() + timedelta(days=3)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("portal.clock.now", lambda: later)
        p = service.progress(case)
    assert p.overdue == total - 1 and p.days_left == -2
    assert db.session.get(HandoverItem, case.items[0].id) is not None
