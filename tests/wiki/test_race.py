"""Two people save the same page from the same revision at the same moment.

SQLite serialises writers and hides races, so this runs on PostgreSQL, with two
real transactions on two connections.
"""

import threading

import pytest

from portal.auth.models import User
from portal.extensions import db
from portal.wiki import service
from portal.wiki.models import Page
from tests.conftest import on_postgres

pytestmark = pytest.mark.skipif(
    not on_postgres(), reason="needs PostgreSQL; runs in CI's PostgreSQL pass"
)


def test_two_concurrent_saves_from_one_base_exactly_one_wins(app, write, make):
    page = write("Race", "The original line.\n")
    users = [make.user("racer1").id, make.user("racer2").id]
    page_id = page.id
    both_read = threading.Barrier(2, timeout=20)
    outcome: dict[int, str] = {}

    def save(user_id: int) -> None:
        # A fresh app context is a fresh session: its own connection and
        # transaction, as two requests would have.
        with app.app_context():
            try:
                mine = db.session.get(Page, page_id)
                user = db.session.get(User, user_id)
                base = mine.current_revision.number
                both_read.wait()  # both have read revision 1 before either writes
                service.edit_page(
                    mine, f"Rewritten by {user.username}.\n", user, base_revision=base
                )
                db.session.commit()
                outcome[user_id] = "saved"
            except service.EditConflict as conflict:
                db.session.rollback()
                outcome[user_id] = f"conflict {conflict.status}"
            except Exception as error:  # reported below rather than lost
                db.session.rollback()
                outcome[user_id] = repr(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save, args=(uid,)) for uid in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcome.values()) == ["conflict 409", "saved"], outcome
    db.session.expire_all()
    page = db.session.get(Page, page_id)
    assert page.revision_count == 2
    winner = next(uid for uid, result in outcome.items() if result == "saved")
    assert page.current_revision.author_id == winner
    numbers = sorted(r.number for r in db.session.scalars(service.history(page)))
    assert numbers == [1, 2]
