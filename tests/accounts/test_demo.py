import random

import sqlalchemy as sa

from portal.accounts import demo
from portal.accounts.models import STATUSES, TIERS, CustomerAccount
from portal.auth import demo as auth_demo
from portal.extensions import db


def test_demo_accounts_are_seeded_once(app):
    auth_demo.seed(random.Random(1))
    assert (
        demo.seed(random.Random(2)) == "40 accounts created, 0 updated (40 in the demo)"
    )
    db.session.commit()
    assert (
        demo.seed(random.Random(2)) == "0 accounts created, 0 updated (40 in the demo)"
    )
    accounts = db.session.scalars(sa.select(CustomerAccount)).all()
    assert len(accounts) == 40
    assert {a.tier for a in accounts} == set(TIERS)
    assert {a.status for a in accounts} == set(STATUSES)
    managers = {a.account_manager for a in accounts if a.account_manager}
    assert managers
    for manager in managers:
        assert manager.is_active
        assert "account" in manager.job_title.lower() or (
            manager.department.name == "Key Accounts"
        )
