"""Declared expertise: skills, endorsements, availability, "not me", search terms."""

from datetime import timedelta

import pytest

from portal import signals
from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.experts import service
from portal.experts.models import Skill
from portal.extensions import db
from tests.experts.conftest import NOW


def test_skills_are_declared_with_a_level_and_reindex_the_person(people, sent):
    emma = people["expert"]
    skill = service.add_skill(emma, emma, "Billing", 3)
    service.add_skill(emma, emma, "billing", 2)  # the same tag: level changes
    db.session.commit()
    assert [(s.tag.name, s.level) for s in service.skills_of(emma)] == [("Billing", 2)]
    assert skill.level == 2
    assert all(kw["changed"] == {"skills"} for _, kw in sent["user_updated"])
    assert len(sent["user_updated"]) == 2


@pytest.mark.parametrize(
    ("tag", "level", "field"),
    [
        ("", 2, "tag"),
        ("billing", 7, "level"),
        ("billing", "x", "level"),
        ("a, b", 1, "tag"),
    ],
)
def test_bad_skills_are_refused(people, tag, level, field):
    with pytest.raises(Invalid) as e:
        service.add_skill(people["expert"], people["expert"], tag, level)
    assert e.value.details["field"] == field


def test_only_the_person_or_an_admin_edits_skills(people, admin):
    with pytest.raises(Forbidden):
        service.add_skill(people["expert"], people["other"], "billing", 2)
    assert service.add_skill(people["expert"], admin, "billing", 2).user_id == (
        people["expert"].id
    )


def test_endorse_once_each_never_oneself(people, sent):
    p = people
    skill = service.add_skill(p["expert"], p["expert"], "Customs", 3)
    db.session.commit()
    with pytest.raises(Forbidden):
        service.endorse(skill, p["expert"])
    endorsement = service.endorse(skill, p["other"])
    db.session.commit()
    with pytest.raises(Conflict):
        service.endorse(skill, p["other"])
    db.session.rollback()
    assert db.session.get(Skill, skill.id).endorsement_count == 1
    ((sender, kw),) = sent["endorsement_given"]
    assert sender is endorsement and kw["skill_owner"] is p["expert"]
    assert kw["endorser"] is p["other"] and kw["tag"].name == "Customs"
    assert service.endorsed_by(p["other"], [skill]) == {skill.id}

    service.withdraw_endorsement(skill, p["other"])
    db.session.commit()
    assert db.session.get(Skill, skill.id).endorsement_count == 0
    assert len(sent["endorsement_withdrawn"]) == 1
    with pytest.raises(NotFound):
        service.withdraw_endorsement(skill, p["other"])


def test_removing_a_skill_withdraws_its_endorsements(people, sent):
    p = people
    skill = service.add_skill(p["expert"], p["expert"], "Customs", 3)
    service.endorse(skill, p["other"])
    service.endorse(skill, p["chatty"])
    db.session.commit()
    service.remove_skill(skill, p["expert"])
    db.session.commit()
    assert len(sent["endorsement_withdrawn"]) == 2
    assert service.skills_of(p["expert"]) == []


def test_endorsement_earns_points(people):
    from portal.incentives import ledger

    skill = service.add_skill(people["expert"], people["expert"], "Customs", 3)
    service.endorse(skill, people["other"])
    db.session.commit()
    assert ledger.balance(people["expert"].id) > 0


def test_availability_and_away_until(people, at):
    emma = people["expert"]
    assert service.availability(emma) == ("available", None)
    service.update_profile(
        emma, emma, availability="away", away_until=(NOW + timedelta(days=3)).date()
    )
    db.session.commit()
    assert service.availability(emma)[0] == "away"
    at(NOW + timedelta(days=4))
    assert service.availability(emma) == ("available", None)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"availability": "asleep"}, "availability"),
        ({"availability": "away", "away_until": "next week"}, "away_until"),
        ({"availability": "away", "away_until": "2020-01-01"}, "away_until"),
        ({"ask_me_about": "x" * 501}, "ask_me_about"),
        ({"accounts": "CRM-NOPE"}, "accounts"),
    ],
)
def test_bad_profile_input_is_refused(people, at, fields, field):
    with pytest.raises(Invalid) as e:
        service.update_profile(people["expert"], people["expert"], **fields)
    assert e.value.details["field"] == field


def test_work_accounts_and_managed_accounts(people):
    from portal.accounts import service as accounts

    acme = accounts.create_account("ACME", "CRM-1", actor=None)
    accounts.create_account(
        "Globex", "CRM-2", account_manager=people["expert"], actor=None
    )
    service.update_profile(people["expert"], people["expert"], accounts="CRM-1")
    db.session.commit()
    assert [a.name for a in service.work_accounts(people["expert"])] == [
        "ACME",
        "Globex",
    ]
    assert acme


def test_person_search_terms(people):
    emma = people["expert"]
    assert service.search_terms(emma) is None
    service.add_skill(emma, emma, "报关", 3)
    service.update_profile(emma, emma, ask_me_about="EDI with SAP, 海关")
    db.session.commit()
    answers = [rv for _, rv in signals.person_search_terms.send(emma) if rv]
    assert answers == [["报关", "EDI with SAP, 海关"]]
