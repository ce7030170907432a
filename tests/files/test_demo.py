"""The demo documents: on accounts, their Chinese and English text extracted."""

import random

from portal.extensions import db
from portal.files.models import Attachment


def test_the_demo_files_documents_on_accounts_once(app):
    from portal.accounts import demo as accounts_demo
    from portal.auth import demo as auth_demo
    from portal.files import demo

    rng = random.Random(1)
    auth_demo.seed(rng)
    accounts_demo.seed(rng)
    assert demo.seed(rng) == "2 documents"
    db.session.commit()
    assert demo.seed(rng) == "0 documents"
    texts = [a.blob.text for a in db.session.scalars(db.select(Attachment))]
    assert any("客服中心" in t and "knowledge base" in t for t in texts)
