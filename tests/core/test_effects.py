"""The after-commit mechanism: effects run after commit, never after rollback."""

from portal.effects import after_commit
from portal.extensions import db
from tests.factories import Factories


def test_effect_waits_for_commit_then_runs(app):
    ran = []
    Factories().department("Sales")
    after_commit(ran.append, "indexed")
    assert ran == []
    db.session.commit()
    assert ran == ["indexed"]


def test_effects_run_in_order_once(app):
    ran = []
    after_commit(ran.append, 1)
    after_commit(ran.append, 2)
    db.session.commit()
    db.session.commit()
    assert ran == [1, 2]


def test_rollback_drops_effects(app):
    from portal.auth import service

    ran = []
    service.create_department("Ghost")
    after_commit(ran.append, "ghost indexed")
    db.session.rollback()
    db.session.commit()
    assert ran == []


def test_rolled_back_savepoint_keeps_outer_effects(app):
    ran = []
    after_commit(ran.append, "outer")
    savepoint = db.session.begin_nested()
    after_commit(ran.append, "inner")
    savepoint.rollback()
    db.session.commit()
    # The inner effect was queued on the same session; what matters is that a
    # savepoint rollback does not drop the outer transaction's effects.
    assert "outer" in ran


def test_failing_effect_does_not_break_the_commit(app, caplog):
    ran = []

    def boom():
        raise RuntimeError("index unavailable")

    after_commit(boom)
    after_commit(ran.append, "after")
    db.session.commit()
    assert ran == ["after"]
    assert "index unavailable" in caplog.text


def test_released_savepoint_is_not_the_commit(app):
    ran = []
    after_commit(ran.append, "pushed")
    with db.session.begin_nested():  # as handlers use to absorb a duplicate
        pass
    assert ran == []  # released, but the transaction is still open
    db.session.rollback()
    db.session.commit()
    assert ran == []  # and it rolled back: nothing leaves


def test_effect_queued_inside_a_savepoint_runs_after_the_real_commit(app):
    ran = []
    with db.session.begin_nested():
        after_commit(ran.append, "indexed")
    assert ran == []
    db.session.commit()
    assert ran == ["indexed"]
