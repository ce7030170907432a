"""The demo forums: varied, realistic, restricted where they should be, idempotent."""

import random

import sqlalchemy as sa

from portal.accounts import demo as accounts_demo
from portal.auth import demo as auth_demo
from portal.extensions import db
from portal.forums import demo
from portal.forums.models import Forum, Post, Thread, thread_accounts


def test_seed_makes_forums_threads_and_answers_once(app, monkeypatch):
    rng = random.Random(20061)
    auth_demo.seed(rng)
    accounts_demo.seed(rng)
    db.session.commit()
    monkeypatch.setattr(demo, "THREADS", 30)  # the full 200 is for `seed-demo`
    report = demo.seed(rng)
    db.session.commit()
    assert report.startswith("10 forums, 31 threads")
    forums = {f.slug: f for f in db.session.scalars(sa.select(Forum))}
    assert len(forums) == 10
    assert forums["hr-internal"].department.name == "Human Resources"
    assert sum(f.kind == "questions" for f in forums.values()) >= 3
    threads = db.session.scalars(sa.select(Thread)).all()
    assert any(t.accepted_post_id for t in threads)
    assert any("\u4e00" <= t.title[0] <= "\u9fff" for t in threads)
    assert any(t.title[0].isascii() for t in threads)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(thread_accounts))
    assert db.session.scalar(sa.select(sa.func.count(Post.id)).where(Post.score != 0))
    # Counters agree with the rows.
    for forum in forums.values():
        visible = sa.select(sa.func.count(Thread.id)).where(
            Thread.forum_id == forum.id, Thread.deleted_at.is_(None)
        )
        assert forum.thread_count == db.session.scalar(visible)
    assert demo.seed(rng) == "forums exist; nothing added"
    assert db.session.scalar(sa.select(sa.func.count(Thread.id))) == len(threads)
