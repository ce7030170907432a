"""Generate benchmark data at a fixed size, deterministically, with bulk inserts.

    python -m bench.generate --size S --reset \
        --database-url postgresql+psycopg://root@127.0.0.1:5432/tacit_bench_s

The schema is built by Flask-Migrate's ``upgrade()`` (the same as
``flask db upgrade``). Rows are written with SQLAlchemy Core ``insert()`` and
lists of dicts, in chunks, with explicit ids (the sequences are moved past
them at the end on PostgreSQL). Every counter column is set from the rows it
counts, Markdown goes through ``portal.markup.render`` (a pool of bodies is
rendered once and reused), every user's password is ``tacit-demo``, and the
points ledger holds exactly the awards the rules in ``portal/incentives``
derive from the content (``--check`` compares with ``flask incentives
recompute`` and ``flask forums recount``). Finally every FEATURES package's
``rebuild`` command runs, if it has one (the search index, once Search lands).
"""

import json
import os
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import click
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from bench import search_index_dir, text

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PASSWORD = "tacit-demo"  # noqa: S105 - the documented demo password
# The data ends at the start of the day it is generated (``--end`` pins it):
# the same seed gives the same rows, only shifted in time, so "this month"
# and "recent" pages look as they would in a portal in use.
END = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
SPAN_DAYS = 730
CHUNK = 5000


@dataclass(frozen=True)
class Size:
    people: int
    accounts: int
    threads: int
    posts: int
    pages: int
    reply_pool: int
    opening_pool: int
    document_pool: int


SIZES = {
    "toy": Size(12, 10, 20, 160, 15, 40, 20, 10),
    "S": Size(200, 300, 2_000, 40_000, 2_000, 1_200, 600, 200),
    "M": Size(2_000, 3_000, 20_000, 400_000, 20_000, 2_400, 1_200, 400),
}


def _rand_time(rng, start: datetime, end: datetime) -> datetime:
    seconds = max(1, int((end - start).total_seconds()))
    return start + timedelta(seconds=rng.randrange(seconds))


def _after(rng, moment: datetime, mean_hours: float) -> datetime:
    """A moment after ``moment``: an exponential gap, or somewhere before the end."""
    later = moment + timedelta(hours=rng.expovariate(1 / mean_hours) + 0.01)
    if later < END:
        return later
    return moment + (END - moment) * rng.random()


class Generator:
    def __init__(self, app, size: Size, seed: int):
        from portal.extensions import db

        self.app = app
        self.db = db
        self.size = size
        self.rng = random.Random(seed)
        self.timings: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.ledger: list[dict] = []
        self.capped: list[dict] = []

    # --- helpers ----------------------------------------------------------------

    def insert(self, model_or_table, rows: list[dict], label: str | None = None):
        table = getattr(model_or_table, "__table__", model_or_table)
        if not rows:
            return
        with self.db.engine.begin() as conn:
            for start in range(0, len(rows), CHUNK):
                conn.execute(table.insert(), rows[start : start + CHUNK])
        self.counts[label or table.name] = self.counts.get(
            label or table.name, 0
        ) + len(rows)

    def stage(self, name):
        gen = self

        class _Stage:
            def __enter__(self):
                self.start = time.perf_counter()
                click.echo(f"· {name}")

            def __exit__(self, *exc):
                gen.timings[name] = round(time.perf_counter() - self.start, 2)

        return _Stage()

    def award(self, user_id, rule, key, source_type, source_id, when, **extra):
        from portal.incentives.rules import RULES

        definition = RULES[rule]
        row = {
            "user_id": user_id,
            "points": definition.points,
            "rule": rule,
            "source_type": source_type,
            "source_id": source_id,
            "key": key,
            "generation": 1,
            "reversal": False,
            "reverses_id": None,
            "reason": "",
            "actor_id": extra.get("actor_id"),
            "seci": extra.get("seci") or definition.seci,
            "capped": False,
            "note": "",
            "created_at": when,
        }
        (self.capped if definition.capped else self.ledger).append(row)

    # --- people, customers, vocabulary --------------------------------------------

    def people(self):
        from portal.auth.demo import DEPARTMENTS
        from portal.auth.models import Department, User

        rng = self.rng
        departments = [*DEPARTMENTS, *text.EXTRA_DEPARTMENTS]
        self.departments = {name: i + 1 for i, (name, _) in enumerate(departments)}
        start = END - timedelta(days=SPAN_DAYS + 30)
        self.insert(
            Department,
            [
                {
                    "id": i + 1,
                    "name": name,
                    "description": description,
                    "created_at": start,
                    "updated_at": start,
                }
                for i, (name, description) in enumerate(departments)
            ],
        )
        password_hash = generate_password_hash(PASSWORD)  # hashed once, reused
        fixed = [
            ("admin", "Admin", "admin", "Human Resources", "Portal administrator"),
            ("hr1", "陈静 Chen Jing", "hr", "Human Resources", "HR business partner"),
            ("mod1", "王磊 Wang Lei", "moderator", "Customer Service", "Team lead"),
            ("mod2", "Sarah Olsen", "moderator", "Technical Support", "Support lead"),
            (
                "alice",
                "Alice Martin",
                "employee",
                "Key Accounts",
                "Key account manager",
            ),
        ]
        names = list(self.departments)
        weights = [22, 14, 16, 22, 3, 10, 5, 8]
        taken = {f[0] for f in fixed}
        users = []
        for i in range(self.size.people):
            if i < len(fixed):
                username, display, role, dept, job = fixed[i]
            else:
                dept = rng.choices(names, weights=weights)[0]
                role = "moderator" if rng.random() < 0.02 else "employee"
                job = rng.choice(text.JOBS[dept])
                if rng.random() < 0.6:
                    (sh, sp), (gh, gp) = (
                        rng.choice(text.SURNAMES),
                        rng.choice(text.GIVEN),
                    )
                    display, base = f"{sh}{gh} {sp.title()} {gp.title()}", f"{sp}{gp}"
                else:
                    first, last = rng.choice(text.FIRST), rng.choice(text.LAST)
                    display, base = f"{first} {last}", f"{first[0]}{last}".lower()
                username, n = base, 1
                while username in taken:
                    n += 1
                    username = f"{base}{n}"
            taken.add(username)
            departed = i >= len(fixed) and rng.random() < 0.03
            joined = _rand_time(rng, start, END - timedelta(days=SPAN_DAYS // 2))
            users.append(
                {
                    "id": i + 1,
                    "username": username,
                    "display_name": display,
                    "email": f"{username}@example.com",
                    "password_hash": password_hash,
                    "department_id": self.departments[dept],
                    "job_title": job,
                    "role": role,
                    "active": not departed,
                    "left_at": END - timedelta(days=rng.randint(1, 60))
                    if departed
                    else None,
                    "locale": None,
                    "time_zone": None,
                    "last_login_at": None,
                    "session_token": f"{rng.getrandbits(128):032x}",
                    "created_at": joined,
                    "updated_at": joined,
                }
            )
        self.insert(User, users)
        self.users = users
        self.user_ids = [u["id"] for u in users]
        self.usernames = [u["username"] for u in users if u["active"]]
        self.hr_ids = [
            u["id"]
            for u in users
            if u["department_id"] == self.departments["Human Resources"]
            or u["role"] == "moderator"
        ]

    def accounts(self):
        from portal.accounts.models import CustomerAccount

        rng = self.rng
        managers = [
            u["id"]
            for u in self.users
            if u["department_id"]
            in (self.departments["Key Accounts"], self.departments["Sales"])
        ] or self.user_ids
        names, rows = set(), []
        for i in range(self.size.accounts):
            if rng.random() < 0.6:
                suffix, industry = rng.choice(text.CN_INDUSTRIES)
                name = rng.choice(text.CITIES) + rng.choice(text.BRANDS) + suffix
                region = rng.choice(text.CN_REGIONS)
            else:
                suffix, industry = rng.choice(text.EN_INDUSTRIES)
                name = f"{rng.choice(text.EN_BRANDS)} {suffix}"
                region = rng.choice(text.EN_REGIONS)
            base, n = name, 1
            while name in names:
                n += 1
                name = f"{base} {n}"
            names.add(name)
            created = _rand_time(rng, END - timedelta(days=SPAN_DAYS), END)
            rows.append(
                {
                    "id": i + 1,
                    "name": name,
                    "crm_ref": f"CRM-{100001 + i}",
                    "industry": industry,
                    "region": region,
                    "tier": rng.choices(
                        ["strategic", "key", "standard", "small"], [5, 20, 55, 20]
                    )[0],
                    "status": rng.choices(
                        ["prospect", "active", "at_risk", "churned"], [10, 75, 10, 5]
                    )[0],
                    "account_manager_id": rng.choice(managers),
                    "description": rng.choice(text.ACCOUNT_DESCRIPTIONS),
                    "created_at": created,
                    "updated_at": created,
                }
            )
        self.insert(CustomerAccount, rows)
        self.accounts_rows = rows

    def tags(self):
        from portal import markup
        from portal.tags.models import Tag

        start = END - timedelta(days=SPAN_DAYS)
        rows = [
            {
                "id": i + 1,
                "name": name,
                "key": name.lower(),
                "slug": markup.slugify(name),
                "description": "",
                "created_at": start,
                "updated_at": start,
            }
            for i, name in enumerate(text.TAGS)
        ]
        self.insert(Tag, rows)
        self.tag_ids = {r["name"]: r["id"] for r in rows}

    # --- forums -------------------------------------------------------------------

    def forums(self):
        from portal.forums.demo import FORUMS
        from portal.forums.models import Forum

        start = END - timedelta(days=SPAN_DAYS)
        self.forum_rows = [
            {
                "id": i + 1,
                "name": name,
                "slug": slug,
                "description": description,
                "position": i,
                "kind": kind,
                "department_id": self.departments[dept] if dept else None,
                "thread_count": 0,
                "post_count": 0,
                "last_activity_at": None,
                "last_thread_id": None,
                "created_at": start,
                "updated_at": start,
            }
            for i, (slug, name, description, kind, dept) in enumerate(FORUMS)
        ]
        self.insert(Forum, self.forum_rows)

    def pools(self):
        """Render every body the posts will use, once."""
        from portal import markup

        rng = self.rng
        names = [a["name"] for a in self.accounts_rows]
        topics = {
            forum: (tags, items, kind) for forum, tags, items, kind in text.TOPICS
        }
        self.openings = []  # (forum slug, account index, title, body, html, tags)
        size = self.size
        slugs = [f["slug"] for f in self.forum_rows]
        with click.progressbar(
            length=size.opening_pool + size.reply_pool, label="  rendering bodies"
        ) as bar:
            for i in range(size.opening_pool):
                # Every forum gets openings (the restricted one too), then at random.
                slug = slugs[i] if i < len(slugs) else rng.choice(slugs)
                account = rng.randrange(len(names))
                if slug == "hr-internal":
                    title, body, tags = (
                        *rng.choice(text.HR_TOPICS),
                        ["交接", "handover"],
                    )
                elif slug in topics and topics[slug][1]:
                    tags, items, _ = topics[slug]
                    title, body = rng.choice(items + text.EXTRA_TOPICS[:2])
                else:
                    tags = rng.sample(text.TAGS, 2)
                    title, body = rng.choice(text.EXTRA_TOPICS)
                filled_title = text.fill(title, rng, names[account], self.usernames)
                body = "\n\n".join(
                    [
                        text.fill(body, rng, names[account], self.usernames),
                        *text.paragraphs(rng, rng.choice([0, 1, 1, 2, 3])),
                    ]
                )
                self.openings.append(
                    (
                        slug,
                        account if "{account}" in title else None,
                        filled_title[:200],
                        body,
                        markup.render(body),
                        tags,
                    )
                )
                bar.update(1)
            self.replies = {True: [], False: []}  # answer? -> [(body, html)]
            for i in range(size.reply_pool):
                answer = i % 2 == 0
                body = text.reply_body(
                    rng, rng.choice(names), self.usernames, answer=answer
                )
                self.replies[answer].append((body, markup.render(body)))
                bar.update(1)
        by_forum = {}
        for item in self.openings:
            by_forum.setdefault(item[0], []).append(item)
        self.openings_by_forum = by_forum

    def threads_and_posts(self):
        from portal import markup
        from portal.forums.models import (
            Post,
            Thread,
            Vote,
            thread_accounts,
            thread_tags,
        )

        rng = self.rng
        size = self.size
        forum_by_slug = {f["slug"]: f for f in self.forum_rows}
        slugs = list(self.openings_by_forum)
        weights = [1 if s == "hr-internal" else 12 for s in slugs]
        # Posts per thread: a long tail (a few threads run to hundreds of posts),
        # scaled so that the total is exact.
        raw = [min(rng.paretovariate(1.3), 60.0) for _ in range(size.threads)]
        extra = size.posts - size.threads
        total = sum(raw)
        counts = [1 + int(r / total * extra) for r in raw]
        for i in rng.sample(range(size.threads), size.posts - sum(counts)):
            counts[i] += 1
        starts = sorted(
            _rand_time(rng, END - timedelta(days=SPAN_DAYS), END - timedelta(days=1))
            for _ in range(size.threads)
        )
        forum_stats = {f["id"]: [0, 0, None, None] for f in self.forum_rows}
        accepted_updates = []
        post_id = vote_id = 0
        threads, posts, votes, t_tags, t_accounts = [], [], [], [], []

        def flush():
            self.insert(Thread, threads)
            self.insert(thread_tags, t_tags)
            self.insert(thread_accounts, t_accounts)
            self.insert(Post, posts)
            self.insert(Vote, votes)
            for rows in (threads, posts, votes, t_tags, t_accounts):
                rows.clear()

        with click.progressbar(range(size.threads), label="  threads") as bar:
            for t in bar:
                thread_id = t + 1
                slug = rng.choices(slugs, weights)[0]
                forum = forum_by_slug[slug]
                questions = forum["kind"] == "questions"
                _, account, title, body, html, tag_names = rng.choice(
                    self.openings_by_forum[slug]
                )
                people = self.hr_ids if forum["department_id"] else self.user_ids
                author = rng.choice(people)
                created = starts[t]
                thread_posts = []
                moment = created
                for n in range(counts[t]):
                    if n:
                        moment = _after(rng, moment, 6 + n * 2)
                        by = author if rng.random() < 0.12 else rng.choice(people)
                        b, h = rng.choice(self.replies[questions])
                    else:
                        by, b, h = author, body, html
                    post_id += 1
                    deleted = n > 0 and rng.random() < 0.005
                    thread_posts.append(
                        {
                            "id": post_id,
                            "thread_id": thread_id,
                            "author_id": by,
                            "body": b,
                            "body_html": h,
                            "created_at": moment,
                            "updated_at": moment,
                            "edited_at": None,
                            "edited_by_id": None,
                            "deleted_at": moment + timedelta(hours=1)
                            if deleted
                            else None,
                            "deleted_by_id": by if deleted else None,
                            "score": 0,
                            "is_first": n == 0,
                        }
                    )
                live = [p for p in thread_posts if p["deleted_at"] is None]
                # Votes: most posts get none, a few get many.
                for p in live:
                    k = rng.choices(range(9), [55, 20, 10, 6, 3, 2, 2, 1, 1])[0]
                    voters = [
                        v
                        for v in rng.sample(people, min(k, len(people)))
                        if v != p["author_id"]
                    ]
                    for voter in voters:
                        value = 1 if rng.random() < 0.9 else -1
                        vote_id += 1
                        when = _after(rng, p["created_at"], 30)
                        votes.append(
                            {
                                "id": vote_id,
                                "post_id": p["id"],
                                "user_id": voter,
                                "value": value,
                                "created_at": when,
                                "updated_at": when,
                            }
                        )
                        p["score"] += value
                        self._vote_awards(p, voter, value, when)
                # Answers earn when they are live replies to someone else's question.
                accepted = None
                if questions:
                    answers = [p for p in live[1:] if p["author_id"] != author]
                    for p in answers:
                        self.award(
                            p["author_id"],
                            "answer_posted",
                            f"post:{p['id']}",
                            "post",
                            p["id"],
                            p["created_at"],
                        )
                    if answers and rng.random() < 0.55:
                        accepted = max(answers, key=lambda p: (p["score"], -p["id"]))
                        when = _after(rng, accepted["created_at"], 24)
                        self.award(
                            accepted["author_id"],
                            "answer_accepted",
                            f"post:{accepted['id']}",
                            "post",
                            accepted["id"],
                            when,
                            actor_id=author,
                        )
                        self.award(
                            author,
                            "accepted_asker",
                            f"thread:{thread_id}",
                            "post",
                            accepted["id"],
                            when,
                            actor_id=author,
                        )
                        accepted_updates.append(
                            {"b_id": thread_id, "b_post": accepted["id"]}
                        )
                last = live[-1]
                threads.append(
                    {
                        "id": thread_id,
                        "forum_id": forum["id"],
                        "title": title,
                        "slug": markup.slugify(title) or "thread",
                        "author_id": author,
                        "created_at": created,
                        "last_activity_at": last["created_at"],
                        "last_poster_id": last["author_id"],
                        "reply_count": len(live) - 1,
                        "post_count": len(thread_posts),
                        "pinned": rng.random() < 0.003,
                        "locked": rng.random() < 0.01,
                        "deleted_at": None,
                        "accepted_post_id": None,
                    }
                )
                tag_set = {self.tag_ids[n] for n in tag_names if n in self.tag_ids}
                tag_set |= set(
                    rng.sample(list(self.tag_ids.values()), rng.randint(0, 1))
                )
                t_tags += [
                    {"thread_id": thread_id, "tag_id": i} for i in sorted(tag_set)
                ]
                linked = {account + 1} if account is not None else set()
                if rng.random() < 0.3:
                    linked.add(rng.randrange(len(self.accounts_rows)) + 1)
                t_accounts += [
                    {"thread_id": thread_id, "account_id": i} for i in sorted(linked)
                ]
                stats = forum_stats[forum["id"]]
                stats[0] += 1
                stats[1] += len(live)
                if stats[2] is None or (last["created_at"], thread_id) > (
                    stats[2],
                    stats[3],
                ):
                    stats[2], stats[3] = last["created_at"], thread_id
                posts += thread_posts
                if len(posts) >= 4 * CHUNK:
                    flush()
        flush()
        with self.db.engine.begin() as conn:
            if accepted_updates:
                conn.execute(
                    Thread.__table__.update()
                    .where(Thread.__table__.c.id == sa.bindparam("b_id"))
                    .values(accepted_post_id=sa.bindparam("b_post")),
                    accepted_updates,
                )
            forums = self.db.metadata.tables["forums"]
            conn.execute(
                forums.update()
                .where(forums.c.id == sa.bindparam("b_id"))
                .values(
                    thread_count=sa.bindparam("b_threads"),
                    post_count=sa.bindparam("b_posts"),
                    last_activity_at=sa.bindparam(
                        "b_at", type_=forums.c.last_activity_at.type
                    ),
                    last_thread_id=sa.bindparam("b_thread"),
                ),
                [
                    {
                        "b_id": fid,
                        "b_threads": s[0],
                        "b_posts": s[1],
                        "b_at": s[2],
                        "b_thread": s[3],
                    }
                    for fid, s in forum_stats.items()
                ],
            )
        self.counts["accepted answers"] = len(accepted_updates)

    def _vote_awards(self, post, voter, value, when):
        key, pid = f"vote:{post['id']}:{voter}", post["id"]
        if value > 0:
            rule = "question_upvoted" if post["is_first"] else "answer_upvoted"
            self.award(post["author_id"], rule, key, "post", pid, when, actor_id=voter)
            return
        self.award(
            post["author_id"], "post_downvoted", key, "post", pid, when, actor_id=voter
        )
        if not post["is_first"]:
            self.award(voter, "downvote_cast", key, "post", pid, when, actor_id=voter)

    # --- wiki -----------------------------------------------------------------------

    def wiki(self):
        from portal import markup
        from portal.wiki import service as wiki_service
        from portal.wiki.diff import change_size
        from portal.wiki.models import Page, Revision, page_accounts, page_tags

        rng = self.rng
        size = self.size
        # A document pool: each document is written section by section, one
        # revision per section; the diff sizes and renderings are computed once.
        documents = []
        with click.progressbar(
            range(size.document_pool), label="  rendering pages"
        ) as bar:
            for _ in bar:
                sections = text.wiki_document(rng)
                versions, previous = [], ""
                for k in range(1, len(sections) + 1):
                    body = "\n\n".join(sections[:k]) + "\n"
                    versions.append(
                        (body, markup.render(body), change_size(previous, body))
                    )
                    previous = body
                documents.append(versions)
        from portal.incentives.rules import DEFAULT_SETTINGS

        minimum = DEFAULT_SETTINGS["revision_min_size"]
        writers = [u["id"] for u in self.users]
        profiles = max(1, min(len(self.accounts_rows) // 3, size.pages // 5))
        pages, revisions, p_tags, p_accounts, updates = [], [], [], [], []
        titles, revision_id = set(), 0
        with click.progressbar(range(size.pages), label="  pages") as bar:
            for i in bar:
                page_id = i + 1
                created = _rand_time(
                    rng, END - timedelta(days=SPAN_DAYS), END - timedelta(days=2)
                )
                if i < profiles:
                    acc = self.accounts_rows[i]
                    title = wiki_service.profile_title(
                        SimpleNamespace(name=acc["name"])
                    )
                    key = (
                        acc["name"],
                        acc["industry"],
                        acc["region"],
                        acc["description"],
                    )
                    body = text.profile_body(*key, rng)
                    first = body.partition("## 需求 Needs")[0].rstrip() + "\n"
                    versions = [
                        (first, markup.render(first), change_size("", first)),
                    ]
                    versions.append(
                        (body, markup.render(body), change_size(first, body))
                    )
                    account_id, linked = acc["id"], {acc["id"]}
                    state, author = (
                        "published",
                        acc["account_manager_id"] or rng.choice(writers),
                    )
                else:
                    acc = rng.choice(self.accounts_rows)
                    title = rng.choice(text.WIKI_TITLES).format(account=acc["name"])
                    versions = rng.choice(documents)
                    versions = versions[: rng.randint(1, len(versions))]
                    account_id, linked = None, {acc["id"]}
                    state = rng.choices(["published", "draft", "archived"], [88, 8, 4])[
                        0
                    ]
                    author = rng.choice(writers)
                base, n = title, 1
                while markup.slugify(title) in titles:
                    n += 1
                    title = f"{base} ({n})"
                slug = markup.slugify(title)
                titles.add(slug)
                moment, seen_days = created, set()
                for number, (body, html, change) in enumerate(versions, 1):
                    revision_id += 1
                    by = (
                        author
                        if number == 1 or rng.random() < 0.3
                        else rng.choice(writers)
                    )
                    if number > 1:
                        moment = _after(rng, moment, 24 * 20)
                    revisions.append(
                        {
                            "id": revision_id,
                            "page_id": page_id,
                            "number": number,
                            "title": title,
                            "body": body,
                            "body_html": html,
                            "summary": ""
                            if number == 1
                            else rng.choice(text.SUMMARIES),
                            "author_id": by,
                            "created_at": moment,
                            "size": len(body),
                            "change_size": change,
                        }
                    )
                    day = (by, moment.date())
                    if change >= minimum and day not in seen_days:
                        seen_days.add(day)
                        self.award(
                            by,
                            "wiki_revision",
                            f"revision:{revision_id}",
                            "page",
                            page_id,
                            moment,
                            seci="combination" if account_id else None,
                        )
                pages.append(
                    {
                        "id": page_id,
                        "title": title,
                        "slug": slug,
                        "current_revision_id": None,
                        "state": state,
                        "deleted_at": None,
                        "created_by_id": author,
                        "account_id": account_id,
                        "last_reviewed_at": None,
                        "revision_count": len(versions),
                        "created_at": created,
                        "updated_at": moment,
                    }
                )
                updates.append({"b_id": page_id, "b_rev": revision_id})
                tag_ids = rng.sample(list(self.tag_ids.values()), rng.randint(0, 3))
                p_tags += [{"page_id": page_id, "tag_id": t} for t in sorted(tag_ids)]
                p_accounts += [
                    {"page_id": page_id, "account_id": a} for a in sorted(linked)
                ]
        self.insert(Page, pages)
        self.insert(Revision, revisions)
        self.insert(page_tags, p_tags)
        self.insert(page_accounts, p_accounts)
        with self.db.engine.begin() as conn:
            table = Page.__table__
            conn.execute(
                table.update()
                .where(table.c.id == sa.bindparam("b_id"))
                .values(current_revision_id=sa.bindparam("b_rev")),
                updates,
            )

    # --- the ledger ---------------------------------------------------------------

    def points(self):
        """Write the ledger: capped awards clipped to each day's cap, in time order."""
        from portal.incentives.models import PointEntry
        from portal.incentives.rules import DEFAULT_SETTINGS

        cap = DEFAULT_SETTINGS["daily_vote_cap"]
        used: dict[tuple[int, object], int] = {}
        for row in sorted(self.capped, key=lambda r: r["created_at"]):
            day = (row["user_id"], row["created_at"].date())
            left = max(0, cap - used.get(day, 0))
            if row["points"] > left:
                row["points"], row["capped"] = left, True
            used[day] = used.get(day, 0) + row["points"]
        rows = sorted(self.ledger + self.capped, key=lambda r: r["created_at"])
        for i, row in enumerate(rows, 1):
            row["id"] = i
        self.insert(PointEntry, rows)
        # The monthly totals the ledger's writes keep (the bulk load bypasses them).
        from portal.incentives import totals

        self.counts["point_totals"] = totals.rebuild()
        self.db.session.commit()

    # --- after the load ---------------------------------------------------------------

    def reset_sequences(self):
        if self.db.engine.dialect.name != "postgresql":
            return
        with self.db.engine.begin() as conn:
            for table in self.db.metadata.sorted_tables:
                if (
                    "id" in table.c
                    and table.c.id.primary_key
                    and table.c.id.autoincrement
                ):
                    name = table.name
                    conn.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'),"
                            f" COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {name}"
                        )
                    )
            conn.execute(sa.text("ANALYZE"))


def after_load_hooks(app, timings: dict | None = None) -> list[str]:
    """Run every FEATURES package's ``rebuild`` command, in FEATURES order,
    timing each into ``timings`` ("flask search rebuild": seconds).

    HOOK POINT for derived data the bulk load bypassed (it sends no signals):
    ``flask search rebuild`` builds the search index once Search lands, and an
    Experts ``rebuild`` would derive expertise the same way. A package without
    such a command is skipped with a note.
    """
    from portal import FEATURES

    ran = []
    runner = app.test_cli_runner()
    for name in FEATURES:
        group = app.cli.commands.get(name)
        commands = getattr(group, "commands", {})
        if "rebuild" not in commands:
            continue
        click.echo(f"· after-load hook: flask {name} rebuild")
        started = time.perf_counter()
        # Search indexes with every core of the machine (flask search rebuild
        # --procs), as an operator rebuilding a large index would.
        procs = ["--procs", str(os.cpu_count())] if name == "search" else []
        result = runner.invoke(args=[name, "rebuild", *procs])
        if timings is not None:
            timings[f"flask {name} rebuild"] = round(time.perf_counter() - started, 2)
        if result.exit_code != 0:
            raise click.ClickException(
                f"flask {name} rebuild failed:\n{result.output}{result.exception!r}"
            )
        ran.append(f"{name} rebuild")
    if "search" not in FEATURES:
        click.echo("· after-load hook: no search package yet, no index to build")
    return ran


def reset_database(url: str) -> None:
    engine = sa.create_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    elif engine.dialect.name == "sqlite":
        path = engine.url.database
        for suffix in ("", "-wal", "-shm"):
            if path and os.path.exists(path + suffix):
                os.remove(path + suffix)
    engine.dispose()


def generate(
    size_name: str,
    url: str,
    *,
    seed: int = 11,
    end: datetime | None = None,
    reset: bool = False,
    check: bool = False,
    hooks: bool = True,
    config: dict | None = None,
) -> dict:
    from flask_migrate import upgrade

    from portal import create_app

    global END
    if end is not None:
        END = end.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=UTC)

    if reset:
        reset_database(url)
    app = create_app({**(config or {}), "SQLALCHEMY_DATABASE_URI": url})
    started = time.perf_counter()
    with app.app_context():
        from portal.auth.models import User
        from portal.extensions import db

        gen = Generator(app, SIZES[size_name], seed)
        with gen.stage("schema (flask db upgrade)"):
            upgrade()
        if db.session.scalar(sa.select(User.id).limit(1)) is not None:
            raise click.ClickException("The database is not empty: pass --reset.")
        db.session.remove()
        with gen.stage("people, accounts, tags, forums"):
            gen.people()
            gen.accounts()
            gen.tags()
            gen.forums()
        with gen.stage("render body pools"):
            gen.pools()
        with gen.stage("threads, posts, votes"):
            gen.threads_and_posts()
        with gen.stage("wiki pages and revisions"):
            gen.wiki()
        with gen.stage("points ledger"):
            gen.points()
        with gen.stage("sequences and ANALYZE"):
            gen.reset_sequences()
        ran = []
        if hooks:
            ran = after_load_hooks(app, gen.timings)
            if db.engine.dialect.name == "postgresql":
                # The hooks filled tables (expertise evidence…) that the first
                # ANALYZE saw empty; plans made on those statistics walk whole
                # tables (e.g. every evidence document of a department).
                with gen.stage("ANALYZE after the hooks"), db.engine.begin() as conn:
                    conn.execute(sa.text("ANALYZE"))
        total = round(time.perf_counter() - started, 1)
        report = {
            "size": size_name,
            "database": db.engine.dialect.name,
            "seed": seed,
            "end": END.date().isoformat(),
            "seconds": total,
            "stages": gen.timings,
            "rows": gen.counts | {"point_entries": len(gen.ledger) + len(gen.capped)},
            "hooks": ran,
        }
        if check:
            report["check"] = consistency_check()
        db.session.remove()
        db.engine.dispose()
    return report


def consistency_check() -> dict:
    """Ask the portal itself whether the counters and the ledger are what it
    would have written: ``forums recount`` and ``incentives recompute``, dry."""
    from portal.extensions import db
    from portal.forums import service as forums_service
    from portal.incentives import service as incentives_service

    changed = forums_service.recount()
    db.session.rollback()
    differences, badges = incentives_service.recompute(apply=False)
    db.session.rollback()
    return {
        "recount_changes": changed,
        "ledger_differences": [
            f"{d.kind} {d.user_id} {d.rule} {d.key} {d.ledger} {d.expected}"
            for d in differences[:20]
        ],
        "ledger_difference_count": len(differences),
        "badges_recompute_would_award": len(badges),
    }


@click.command()
@click.option("--size", "size_name", type=click.Choice(list(SIZES)), default="S")
@click.option(
    "--database-url",
    default=lambda: os.environ.get("DATABASE_URL", f"sqlite:///{OUT / 'bench-S.db'}"),
    help="SQLAlchemy URL (default: $DATABASE_URL, else bench/out/bench-S.db).",
)
@click.option("--seed", default=11, show_default=True)
@click.option(
    "--end",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The day the history ends (default: today, UTC).",
)
@click.option("--reset", is_flag=True, help="Drop everything in the database first.")
@click.option("--check", is_flag=True, help="Compare with recount and recompute.")
@click.option("--no-hooks", is_flag=True, help="Skip the packages' rebuild commands.")
def main(size_name, database_url, seed, end, reset, check, no_hooks):
    """Fill DATABASE_URL with benchmark data of size S or M."""
    OUT.mkdir(parents=True, exist_ok=True)
    report = generate(
        size_name,
        database_url,
        seed=seed,
        end=end,
        reset=reset,
        check=check,
        hooks=not no_hooks,
        config={"SEARCH_INDEX_DIR": str(search_index_dir(database_url))},
    )
    dialect = report["database"]
    (OUT / f"generate-{size_name}-{dialect}.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False)
    )
    click.echo(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
