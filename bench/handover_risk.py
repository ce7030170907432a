"""Benchmark the knowledge-at-risk table and page over a few thousand accounts.

    DATABASE_URL=sqlite:////tmp/bench-risk.db python -m bench.handover_risk [ACCOUNTS]

Builds a fresh schema in the given database (it drops every table first: point
it at a scratch database), fills it with bulk inserts (ACCOUNTS accounts, 10
threads of 4 posts each per account, a profile page with 3 revisions per
account, 300 people), then times ``risk_table()``, what-if and the page.
"""

import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from markupsafe import Markup

from portal import create_app
from portal.extensions import db


def row(**values) -> dict:
    return values


def fill(n_accounts: int) -> None:
    from portal.accounts.models import CustomerAccount
    from portal.auth.models import User
    from portal.forums.models import Forum, Post, Thread, thread_accounts
    from portal.wiki.models import Page, Revision

    rng = random.Random(7)
    now = datetime.now(UTC)
    html = Markup("<p>x</p>")
    ins = db.session.execute
    ins(
        User.__table__.insert(),
        [
            row(
                id=i,
                username=f"u{i}",
                display_name=f"User {i}",
                password_hash="x",  # noqa: S106 - nobody logs in
                role="hr" if i == 1 else "employee",
                active=True,
                session_token="t",  # noqa: S106
                created_at=now,
                updated_at=now,
            )
            for i in range(1, 301)
        ],
    )
    ins(
        CustomerAccount.__table__.insert(),
        [
            row(
                id=a,
                name=f"Account {a}",
                crm_ref=f"C{a}",
                tier=rng.choice(["strategic", "key", "standard", "small"]),
                status="active",
                industry="",
                region="",
                description="",
                created_at=now,
                updated_at=now,
            )
            for a in range(1, n_accounts + 1)
        ],
    )
    ins(
        Forum.__table__.insert(),
        [
            row(
                id=1,
                name="Q",
                slug="q",
                kind="questions",
                position=0,
                description="",
                thread_count=0,
                post_count=0,
                created_at=now,
                updated_at=now,
            )
        ],
    )
    threads, links, posts, pages, revisions = [], [], [], [], []
    tid = pid = rid = 0
    for a in range(1, n_accounts + 1):
        # Each account has 1–4 people who know it.
        knowers = rng.sample(range(2, 301), rng.randint(1, 4))
        for _ in range(10):
            tid += 1
            when = now - timedelta(days=rng.randint(0, 500))
            asker = rng.randint(2, 300)
            threads.append(
                row(
                    id=tid,
                    forum_id=1,
                    title=f"T{tid}",
                    slug="t",
                    author_id=asker,
                    created_at=when,
                    last_activity_at=when,
                    reply_count=3,
                    post_count=4,
                    pinned=False,
                    locked=False,
                )
            )
            links.append(row(thread_id=tid, account_id=a))
            first = pid + 1
            for k in range(4):
                pid += 1
                posts.append(
                    row(
                        id=pid,
                        thread_id=tid,
                        author_id=asker if k == 0 else rng.choice(knowers),
                        body="x",
                        body_html=html,
                        created_at=when,
                        updated_at=when,
                        score=0,
                        is_first=k == 0,
                    )
                )
            threads[-1]["accepted_post_id"] = first + 1
        pages.append(
            row(
                id=a,
                title=f"P{a}",
                slug=f"p{a}",
                state="published",
                account_id=a,
                revision_count=3,
                created_at=now,
                updated_at=now,
            )
        )
        size = 0
        for number in range(1, 4):
            rid += 1
            grow = rng.randint(50, 500)
            revisions.append(
                row(
                    id=rid,
                    page_id=a,
                    number=number,
                    title="P",
                    body="x",
                    body_html=html,
                    summary="",
                    author_id=rng.choice(knowers),
                    created_at=now - timedelta(days=rng.randint(0, 400)),
                    size=size + grow,
                    change_size=grow,
                )
            )
            size += grow
    for table, rows in (
        (Thread.__table__, threads),
        (thread_accounts, links),
        (Post.__table__, posts),
        (Page.__table__, pages),
        (Revision.__table__, revisions),
    ):
        for i in range(0, len(rows), 5000):
            ins(table.insert(), rows[i : i + 5000])
    db.session.commit()


def timed(fn, runs=5):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    app = create_app({"WTF_CSRF_ENABLED": False})
    from flask_login import FlaskLoginClient

    app.test_client_class = FlaskLoginClient
    with app.app_context():
        db.drop_all()
        db.create_all()
        fill(n)
        from portal.auth.models import User
        from portal.handover import at_risk

        rows = at_risk.risk_table()
        levels = {lv: sum(1 for r in rows if r.level == lv) for lv in at_risk.LEVELS}
        print(f"{n} accounts, {db.engine.dialect.name}: levels {levels}")
        print(f"risk_table() median {timed(at_risk.risk_table) * 1000:.0f} ms")
        person = db.session.get(User, 5)
        print(
            f"what_if() median {timed(lambda: at_risk.what_if(person)) * 1000:.0f} ms"
        )
        client = app.test_client(user=db.session.get(User, 1))
        page = timed(lambda: client.get("/accounts/risk?sort=tier"))
        print(f"GET /accounts/risk median {page * 1000:.0f} ms")
        db.session.remove()
        db.drop_all()


if __name__ == "__main__":
    main()
