"""Ask an expert: routing, escalation with a frozen clock, resolved cases."""

from datetime import timedelta

import pytest

from portal.accounts import service as accounts
from portal.errors import Conflict, NotFound
from portal.experts import service
from portal.experts.models import ExpertRequest, ResolvedCase, Routing
from portal.extensions import db
from portal.forums import service as forums
from tests.experts.conftest import NOW
from tests.forums.factories import make_thread


@pytest.fixture
def org(make, people, ask_thread, answer, at, app):
    """Five people who know about refunds, in order; an account with a manager."""
    app.config["EXPERTS_ROUTE_COUNT"] = 2
    p = dict(people)
    for name in ("e1", "e2", "e3", "e4"):
        p[name] = make.user(name)
    p["manager"] = make.user("manager")
    for i, name in enumerate(["e1", "e2", "e3", "e4"]):
        for n in range(4 - i):
            t = ask_thread(p["other"], f"Refund case {name} {n}", tags="refunds")
            answer(t, p[name], "Refund via the portal.", accept_by=p["other"])
    p["acme"] = accounts.create_account(
        "ACME", "CRM-9", account_manager=p["manager"], actor=None
    )
    db.session.commit()
    return p


def routed(request, round_=None):
    rows = db.session.query(Routing).filter_by(request_id=request.id)
    if round_ is not None:
        rows = rows.filter_by(round=round_)
    return [r.user.username for r in rows.order_by(Routing.id)]


def test_ask_routes_to_top_available_experts(org, ask_thread, sent):
    thread = ask_thread(org["asker"], "Refund for a broken order", tags="refunds")
    service.update_profile(org["e1"], org["e1"], availability="busy")
    request = service.ask(thread, org["asker"])
    db.session.commit()
    assert routed(request) == ["e2", "e3"]
    ((sender, kw),) = sent["expert_asked"]
    assert sender is request and kw["thread"] is thread
    assert [u.username for u in kw["experts"]] == ["e2", "e3"]


def test_asking_twice_or_about_a_deleted_thread_is_refused(org, ask_thread):
    thread = ask_thread(org["asker"], "Refund for a lost parcel")
    service.ask(thread, org["asker"])
    db.session.commit()
    with pytest.raises(Conflict):
        service.ask(thread, org["asker"])
    db.session.rollback()
    gone = ask_thread(org["asker"], "Refund in cash?")
    forums.delete_post(forums.thread_posts(gone).items[0], org["asker"])
    db.session.commit()
    with pytest.raises(NotFound):
        service.get_question(gone.id, org["asker"])
    with pytest.raises(NotFound):
        service.get_question(999999, org["asker"])


def test_only_questions_can_be_asked_about(org, discussion):
    thread = make_thread(discussion, org["asker"], "Refund stories")
    with pytest.raises(Conflict):
        service.ask(thread, org["asker"])


def test_escalation_with_time_travel(org, ask_thread, at, runner, sent):
    thread = ask_thread(
        org["asker"], "Refund to a closed bank account", accounts=[org["acme"]]
    )
    request = service.ask(thread, org["asker"])
    db.session.commit()
    assert routed(request) == ["e1", "e2"]

    at(NOW + timedelta(hours=23))
    result = runner.invoke(args=["experts", "escalate"])
    assert "0 questions escalated" in result.output
    assert db.session.get(ExpertRequest, request.id).round == 1

    at(NOW + timedelta(hours=24, minutes=1))
    result = runner.invoke(args=["experts", "escalate"])
    assert "1 questions escalated" in result.output, result.output
    db.session.expire_all()
    assert routed(request, 2) == ["e3", "e4"]
    # Idempotent: running again at once does nothing.
    result = runner.invoke(args=["experts", "escalate"])
    assert "0 questions escalated" in result.output
    assert len(sent["question_escalated"]) == 1

    at(NOW + timedelta(hours=49))
    runner.invoke(args=["experts", "escalate"])
    db.session.expire_all()
    assert routed(request, 3) == ["manager"]
    assert db.session.get(ExpertRequest, request.id).round == 3
    assert [kw["round"] for _, kw in sent["question_escalated"]] == [2, 3]

    at(NOW + timedelta(days=30))
    result = runner.invoke(args=["experts", "escalate"])
    assert "0 questions escalated" in result.output


def test_an_answer_stops_escalation(org, ask_thread, answer, at):
    thread = ask_thread(org["asker"], "Refund after ninety days")
    request = service.ask(thread, org["asker"])
    db.session.commit()
    at(NOW + timedelta(hours=2))
    answer(thread, org["e1"], "Only with approval.")
    at(NOW + timedelta(hours=30))
    assert service.escalate_one(request.id) is None


def test_escalation_wait_is_configurable(org, ask_thread, at, app):
    app.config["EXPERTS_ESCALATE_AFTER_HOURS"] = 2
    thread = ask_thread(org["asker"], "Refund in another currency")
    request = service.ask(thread, org["asker"])
    db.session.commit()
    at(NOW + timedelta(hours=2))
    assert service.due_requests() == [request.id]
    assert service.escalate_one(request.id)[0] == 2


def test_accepted_answer_makes_a_resolved_case(org, ask_thread, answer, sent, at):
    thread = ask_thread(org["asker"], "Refund for a duplicate charge")
    request = service.ask(thread, org["asker"])
    db.session.commit()
    post = answer(
        thread, org["e1"], "Reverse the second charge.", accept_by=org["asker"]
    )
    case = db.session.query(ResolvedCase).filter_by(thread_id=thread.id).one()
    assert case.answer_id == post.id and case.request_id == request.id
    assert db.session.get(ExpertRequest, request.id).status == "resolved"
    ((sender, kw),) = sent["case_resolved"]
    assert sender is case and kw["answer"] is post and kw["actor"] is org["asker"]
    # Resolved cases are not escalated, and no longer routed to anyone's home.
    at(NOW + timedelta(days=3))
    assert service.due_requests() == []
    assert service.routed_to(org["e1"]) == []

    forums.unaccept_answer(thread, org["asker"])
    db.session.commit()
    assert db.session.query(ResolvedCase).count() == 0
    assert db.session.get(ExpertRequest, request.id).status == "open"


def test_unrouted_accepted_answers_are_not_cases(org, ask_thread, answer):
    thread = ask_thread(org["asker"], "Refund policy summary")
    answer(thread, org["e1"], "See the wiki.", accept_by=org["asker"])
    assert db.session.query(ResolvedCase).count() == 0


def test_home_lists_routed_and_answerable_questions(org, ask_thread, at):
    thread = ask_thread(org["asker"], "Refund for a gift card", tags="refunds")
    service.ask(thread, org["asker"])
    db.session.commit()
    assert [t.id for _, t, _ in service.routed_to(org["e1"])] == [thread.id]
    # e4 was not routed, but refunds is what their work shows.
    assert thread in service.could_answer(org["e4"])
    service.add_skill(org["voter1"], org["voter1"], "refunds", 2)
    db.session.commit()
    assert thread in service.could_answer(org["voter1"])
    assert service.could_answer(org["voter2"]) == []
    # A topic the person hid ("not me") is neither inferred nor declared.
    refunds = thread.tags[0]
    service.hide_topic(org["e4"], org["e4"], refunds)
    service.hide_topic(org["voter1"], org["voter1"], refunds)
    db.session.commit()
    assert thread not in service.could_answer(org["e4"])
    assert thread not in service.could_answer(org["voter1"])


def test_a_leavers_routed_questions_go_to_the_successor(org, ask_thread, make):
    from portal import signals
    from portal.handover import service as handover

    thread = ask_thread(org["asker"], "Refund for a damaged box", tags="refunds")
    request = service.ask(thread, org["asker"])
    db.session.commit()
    leaver = db.session.get(type(org["e1"]), request.routings[0].user_id)
    answers = signals.routed_questions.send(leaver)
    assert [thread.id] in [a for _, a in answers]
    successor = make.user("successor")
    hr = make.user("hr9", role="hr")
    case = handover.open_case(leaver, NOW.date() + timedelta(days=10), [successor], hr)
    db.session.commit()
    handover.close_case(case, hr)
    db.session.commit()
    assert "successor" in routed(request)
