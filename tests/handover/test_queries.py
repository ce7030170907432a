"""The risk table costs the same few queries however many accounts there are."""

from portal.extensions import db
from portal.handover import at_risk
from tests.querycount import count_statements


def test_risk_table_query_count_does_not_grow_with_accounts(
    people, make_account, evidence_for, write_profile
):
    def add(n):
        for _ in range(n):
            account = make_account()
            evidence_for(account, people.leaver, people.successor)
            write_profile(account, people.second)

    add(2)
    db.session.expire_all()
    few = count_statements(at_risk.risk_table)
    add(8)
    db.session.expire_all()
    many = count_statements(at_risk.risk_table)
    assert len(at_risk.risk_table()) == 10
    assert many == few


def test_one_accounts_risk_costs_the_same_however_many_know_it(
    people, make, make_account, evidence_for, write_profile
):
    account = make_account()
    evidence_for(account, people.leaver, people.successor)
    db.session.commit()
    # Each count starts its own transaction, as a request does; each is the
    # first since the last write, so nothing is remembered yet.
    few = count_statements(lambda: at_risk.risk_for_account(account))
    for n in range(8):
        evidence_for(account, make.user(f"asker{n}"), make.user(f"expert{n}"))
        write_profile(account, make.user(f"writer{n}"))
    db.session.commit()
    assert count_statements(lambda: at_risk.risk_for_account(account)) == few
    assert len(at_risk.risk_for_account(account)["people"]) > 15
