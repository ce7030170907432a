"""The ledger itself: one row per award, never edited, each event counted once."""

import pytest
import sqlalchemy as sa

from portal.errors import NotFound
from portal.extensions import db
from portal.incentives import ledger, rules
from portal.incentives.models import PointEntry
from tests.incentives.conftest import balance, entries


def _award(user, key="x:1", rule="endorsement_received", **kw):
    entry = ledger.award(user.id, rule, source_type="post", source_id=1, key=key, **kw)
    db.session.commit()
    return entry


def test_an_award_is_a_row_and_the_balance_its_sum(employee):
    _award(employee, "x:1")
    _award(employee, "x:2", rule="post_downvoted")
    assert [(e.rule, e.points) for e in entries(employee)] == [
        ("endorsement_received", 5),
        ("post_downvoted", -2),
    ]
    assert balance(employee) == 3


def test_the_same_event_counts_once(employee):
    assert _award(employee) is not None
    assert _award(employee) is None
    assert balance(employee) == 5


def test_a_racing_duplicate_is_dropped_without_failing_the_transaction(employee):
    """The unique key catches what the look-up missed; the savepoint keeps the
    rest of the transaction (here: a second, different award) alive."""
    first = _award(employee)
    duplicate = PointEntry(
        user_id=employee.id,
        points=5,
        rule=first.rule,
        source_type="post",
        source_id=1,
        key=first.key,
        generation=1,
        seci="socialization",
    )
    assert ledger._insert(duplicate) is None
    _award(employee, "x:2")
    assert balance(employee) == 10


def test_reversal_negates_and_happens_once(employee):
    entry = _award(employee)
    assert ledger.reverse(entry, "withdrawn") is not None
    assert ledger.reverse(entry, "withdrawn") is None
    db.session.commit()
    assert balance(employee) == 0
    reversal = entries(employee)[-1]
    assert (reversal.points, reversal.reverses_id, reversal.reason) == (
        -5,
        entry.id,
        "withdrawn",
    )


def test_a_reversed_award_may_be_awarded_again_as_a_new_generation(employee):
    first = _award(employee)
    ledger.reverse(first, "unaccepted")
    second = _award(employee)
    assert second.generation == 2
    assert _award(employee) is None
    assert balance(employee) == 5


def test_a_moderated_award_is_never_awarded_again(employee):
    entry = _award(employee)
    ledger.reverse(entry, "moderation")
    assert _award(employee) is None
    assert balance(employee) == 0


def test_a_rule_that_is_off_or_worth_nothing_writes_nothing(employee, admin):
    rules.set_rule("endorsement_received", points=5, enabled=False, seci="combination")
    assert _award(employee) is None
    rules.set_rule("endorsement_received", points=0, enabled=True, seci="combination")
    assert _award(employee) is None
    rules.set_rule("endorsement_received", points=7, enabled=True, seci="combination")
    entry = _award(employee)
    assert (entry.points, entry.seci) == (7, "combination")


def test_an_unknown_rule_is_refused(employee):
    with pytest.raises(NotFound, match="no point rule called “bogus”"):
        _award(employee, rule="bogus")


def test_rows_are_only_ever_added(employee):
    entry = _award(employee)
    ledger.reverse(entry, "deleted")
    db.session.commit()
    ids = [e.id for e in entries(employee)]
    _award(employee)
    assert [e.id for e in entries(employee)][:2] == ids
    assert db.session.scalar(sa.select(sa.func.count(PointEntry.id))) == 3
