"""What the content says is due: the awards derived from posts, votes, accepted
answers, revisions, page states, links and write-ups under the rules in force.

Each function takes the ids it is about (None: everything) and answers with
``Expected`` awards; ``post_scope`` and ``page_scope`` build the matching
clauses on the ledger. The
signal handlers and ``recompute`` use the same predicates, so a ledger kept by
the handlers and one rebuilt from the content agree.
"""

import re

import sqlalchemy as sa

from portal import markup
from portal.extensions import db
from portal.forums.models import Post, Thread, Vote
from portal.incentives import rules as rules_module
from portal.incentives import writeups
from portal.incentives.ledger import Expected, utc_day
from portal.incentives.models import PointEntry
from portal.wiki import contributors
from portal.wiki.models import Page, PageRedirect, Revision, WikiLink

_CITE_KEY = re.compile(r"^cite:(\d+):(\d+)$")


# --- forums ------------------------------------------------------------------------


def post_is_live(post: Post) -> bool:
    return post.deleted_at is None and post.thread.deleted_at is None


def answer_earns(post: Post) -> bool:
    """Tell whether an answer earns points: a live reply to someone else's question."""
    thread = post.thread
    return (
        post_is_live(post)
        and not post.is_first
        and thread.forum.kind == "questions"
        and post.author_id != thread.author_id
    )


def vote_earns(post: Post, voter_id: int) -> bool:
    """Tell whether a vote moves points: on a live post, never one's own."""
    return post_is_live(post) and post.author_id != voter_id


def vote_awards(post: Post, voter_id: int, value: int) -> list[Expected]:
    """Return the awards one vote makes: to the author, and the downvoter's cost."""
    if not vote_earns(post, voter_id):
        return []
    key = f"vote:{post.id}:{voter_id}"
    common = {"source_type": "post", "source_id": post.id, "key": key}
    if value > 0:
        rule = "question_upvoted" if post.is_first else "answer_upvoted"
        return [Expected(post.author_id, rule, actor_id=voter_id, **common)]
    awards = [Expected(post.author_id, "post_downvoted", actor_id=voter_id, **common)]
    if not post.is_first:
        awards.append(Expected(voter_id, "downvote_cast", actor_id=voter_id, **common))
    return awards


def accept_awards(post: Post) -> list[Expected]:
    """Return the awards of an accepted answer: the answerer's and the asker's.

    Accepting an answer to one's own question earns nothing.
    """
    thread = post.thread
    if thread.accepted_post_id != post.id or not answer_earns(post):
        return []
    return [
        Expected(
            post.author_id,
            "answer_accepted",
            f"post:{post.id}",
            "post",
            post.id,
            actor_id=thread.author_id,
        ),
        Expected(
            thread.author_id,
            "accepted_asker",
            f"thread:{thread.id}",
            "post",
            post.id,
            actor_id=thread.author_id,
        ),
    ]


def answer_award(post: Post) -> list[Expected]:
    if not answer_earns(post):
        return []
    return [
        Expected(post.author_id, "answer_posted", f"post:{post.id}", "post", post.id)
    ]


def _load_posts(post_ids) -> list[Post]:
    stmt = (
        sa.select(Post)
        .join(Post.thread)
        .join(Thread.forum)
        .options(sa.orm.contains_eager(Post.thread).contains_eager(Thread.forum))
    )
    if post_ids is not None:
        stmt = stmt.where(Post.id.in_(list(post_ids)))
    return list(db.session.scalars(stmt))


def expected_for_posts(post_ids=None, *, own=True, cites=True) -> list[Expected]:
    """Return the awards due for posts ``post_ids`` (None: every post)."""
    posts = _load_posts(post_ids)
    expected: list[Expected] = []
    if own:
        live = {p.id: p for p in posts if post_is_live(p)}
        votes = sa.select(Vote.post_id, Vote.user_id, Vote.value)
        if post_ids is not None:
            votes = votes.where(Vote.post_id.in_(list(live)))
        for post_id, voter_id, value in db.session.execute(votes):
            if post_id in live:
                expected += vote_awards(live[post_id], voter_id, value)
        for post in live.values():
            expected += answer_award(post)
            expected += accept_awards(post)
    if cites:
        expected += cite_awards([p for p in posts if post_is_live(p)])
    return expected


def post_scope(post_ids, *, own=True, cites=True):
    """Return the clause on the ledger matching ``expected_for_posts``."""
    ids = list(post_ids)
    clauses = []
    if own:
        clauses.append(
            sa.and_(PointEntry.source_type == "post", PointEntry.source_id.in_(ids))
        )
    if cites:
        clauses += [
            sa.and_(PointEntry.rule == "page_used", PointEntry.key.like(f"cite:{i}:%"))
            for i in ids
        ]
    return sa.or_(*clauses) if clauses else sa.false()


# --- links to pages from posts and pages -------------------------------------------


def resolve_slugs(slugs) -> dict[str, Page]:
    """Return ``{slug: live page}`` for slugs naming a page or a former name."""
    slugs = {s for s in slugs if s}
    if not slugs:
        return {}
    found = {
        p.slug: p
        for p in db.session.scalars(
            sa.select(Page).where(Page.slug.in_(slugs), Page.deleted_at.is_(None))
        )
    }
    for old, page in db.session.execute(
        sa.select(PageRedirect.old_slug, Page)
        .join(Page, Page.id == PageRedirect.page_id)
        .where(PageRedirect.old_slug.in_(slugs), Page.deleted_at.is_(None))
    ):
        found.setdefault(old, page)
    return found


def _linked_slugs(text: str) -> set[str]:
    if "[[" not in (text or ""):
        return set()
    return {markup.slugify(t) for t in markup.wiki_links(text)} - {""}


def cite_awards(posts: list[Post]) -> list[Expected]:
    """Return the awards for pages the live ``posts`` link: "pages used in answers"."""
    links = {p.id: _linked_slugs(p.body) for p in posts}
    pages = resolve_slugs(set().union(*links.values()) if links else set())
    expected = []
    by_id = {p.id: p for p in posts}
    for post_id, slugs in links.items():
        post = by_id[post_id]
        seen = set()
        for slug in slugs:
            page = pages.get(slug)
            if page is None or page.id in seen:
                continue
            seen.add(page.id)
            if page.created_by_id is None or page.created_by_id == post.author_id:
                continue
            expected.append(
                Expected(
                    page.created_by_id,
                    "page_used",
                    f"cite:{post.id}:{page.id}",
                    "page",
                    page.id,
                    actor_id=post.author_id,
                )
            )
    return expected


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _posts_citing(page_ids) -> list[int]:
    """Return the posts that may link ``page_ids``: those the ledger knows to
    have linked them, and those whose text names a page's title in ``[[…]]``
    (written before the page existed, or under its new name)."""
    ids = {str(i) for i in page_ids}
    keys = db.session.scalars(
        sa.select(PointEntry.key)
        .where(
            PointEntry.rule == "page_used",
            PointEntry.source_type == "page",
            PointEntry.source_id.in_(list(page_ids)),
            PointEntry.key.like("cite:%"),
        )
        .distinct()
    )
    posts = set()
    for key in keys:
        match = _CITE_KEY.match(key)
        if match and match.group(2) in ids:
            posts.add(int(match.group(1)))
    titles = list(
        db.session.scalars(sa.select(Page.title).where(Page.id.in_(list(page_ids))))
    )
    if titles:
        posts |= set(
            db.session.scalars(
                sa.select(Post.id).where(
                    Post.body.contains("[["),
                    sa.or_(
                        *(Post.body.ilike(f"%{_like(t)}%", escape="\\") for t in titles)
                    ),
                )
            )
        )
    return sorted(posts)


def link_awards(page_ids=None) -> list[Expected]:
    """Return the awards for wiki links from and to ``page_ids`` (None: all)."""
    stmt = sa.select(WikiLink.from_page_id, WikiLink.to_slug)
    if page_ids is not None:
        ids = list(page_ids)
        slugs = set(db.session.scalars(sa.select(Page.slug).where(Page.id.in_(ids))))
        slugs |= set(
            db.session.scalars(
                sa.select(PageRedirect.old_slug).where(PageRedirect.page_id.in_(ids))
            )
        )
        stmt = stmt.where(
            sa.or_(WikiLink.from_page_id.in_(ids), WikiLink.to_slug.in_(slugs))
        )
    rows = db.session.execute(stmt).all()
    targets = resolve_slugs({slug for _, slug in rows})
    sources = {
        p.id: p
        for p in db.session.scalars(
            sa.select(Page).where(
                Page.id.in_({f for f, _ in rows}), Page.deleted_at.is_(None)
            )
        )
    }
    expected, seen = [], set()
    for from_id, slug in rows:
        source, target = sources.get(from_id), targets.get(slug)
        if source is None or target is None or source.id == target.id:
            continue
        if (source.id, target.id) in seen:
            continue
        seen.add((source.id, target.id))
        if target.created_by_id is None or target.created_by_id == source.created_by_id:
            continue
        expected.append(
            Expected(
                target.created_by_id,
                "page_used",
                f"link:{source.id}:{target.id}",
                "page",
                target.id,
                actor_id=source.created_by_id,
            )
        )
    return expected


# --- wiki pages ----------------------------------------------------------------------


def revision_awards(page_ids=None) -> list[Expected]:
    """Return the awards for substantial revisions: at least the minimum change,
    the first such revision per author, page and UTC day."""
    minimum = int(rules_module.setting("revision_min_size"))
    stmt = (
        sa.select(
            Revision.id,
            Revision.page_id,
            Revision.author_id,
            Revision.created_at,
            Revision.number,
        )
        .join(Page, Page.id == Revision.page_id)
        .where(
            Page.deleted_at.is_(None),
            Revision.author_id.is_not(None),
            Revision.change_size >= minimum,
        )
        .order_by(Revision.created_at, Revision.id)
    )
    if page_ids is not None:
        stmt = stmt.where(Revision.page_id.in_(list(page_ids)))
    rows = db.session.execute(stmt).all()
    profiles = set(
        db.session.scalars(
            sa.select(Page.id).where(
                Page.id.in_({r.page_id for r in rows}), Page.account_id.is_not(None)
            )
        )
    )
    drafts = set(writeups.written_up({r.page_id for r in rows}))
    expected, seen = [], set()
    for rev_id, page_id, author_id, created_at, number in rows:
        if number == 1 and page_id in drafts:
            continue  # the draft a write-up generates is the thread's authors' text
        day = (page_id, author_id, utc_day(created_at)[0])
        if day in seen:
            continue
        seen.add(day)
        expected.append(
            Expected(
                author_id,
                "wiki_revision",
                f"revision:{rev_id}",
                "page",
                page_id,
                seci="combination" if page_id in profiles else None,
            )
        )
    return expected


def revision_earns(revision: Revision, page: Page) -> bool:
    """Tell whether ``revision`` is the first substantial one of its author on
    its page that UTC day (the handler's question, answered as above)."""
    if page.deleted_at is not None or revision.author_id is None:
        return False
    minimum = int(rules_module.setting("revision_min_size"))
    if revision.change_size < minimum:
        return False
    generated = bool(writeups.written_up([page.id]))
    if generated and revision.number == 1:
        return False
    start, _end = utc_day(revision.created_at)
    earlier = db.session.scalar(
        sa.select(Revision.id)
        .where(
            Revision.page_id == page.id,
            Revision.number > (1 if generated else 0),
            Revision.author_id == revision.author_id,
            Revision.change_size >= minimum,
            Revision.created_at >= start,
            sa.or_(
                Revision.created_at < revision.created_at,
                sa.and_(
                    Revision.created_at == revision.created_at,
                    Revision.id < revision.id,
                ),
            ),
        )
        .limit(1)
    )
    return earlier is None


def main_author(page_id: int) -> int | None:
    """Return who wrote most of the page's text."""
    shares = contributors.shares(page_id)
    return shares[0][0] if shares else None


def validated_awards(page_ids=None) -> list[Expected]:
    """Return the awards for pages that were validated (a page validated once
    keeps the award while it lives), to their main author.

    The recipient chosen when the award was made stays the recipient: later
    edits may change who wrote most, not who had when it was validated.
    """
    stmt = sa.select(Page.id).where(
        Page.deleted_at.is_(None), Page.last_reviewed_at.is_not(None)
    )
    if page_ids is not None:
        stmt = stmt.where(Page.id.in_(list(page_ids)))
    pages = list(db.session.scalars(stmt))
    if not pages:
        return []
    recipients = dict(
        db.session.execute(
            sa.select(PointEntry.source_id, PointEntry.user_id)
            .where(
                PointEntry.rule == "page_validated",
                PointEntry.source_type == "page",
                PointEntry.source_id.in_(pages),
                PointEntry.reversal.is_(False),
            )
            .order_by(PointEntry.id)
        ).all()
    )
    expected = []
    for page_id in pages:
        user_id = recipients.get(page_id) or main_author(page_id)
        if user_id is not None:
            expected.append(
                Expected(
                    user_id, "page_validated", f"validated:{page_id}", "page", page_id
                )
            )
    return expected


def writeup_awards(page_ids=None) -> list[Expected]:
    """Return the awards for threads written up as pages, to the authors whose
    posts were used."""
    return writeups.expected(page_ids)


def expected_for_pages(page_ids=None, *, own=True, links=True, cites=True):
    """Return the awards due for pages ``page_ids`` (None: every page)."""
    expected: list[Expected] = []
    if own:
        expected += revision_awards(page_ids)
        expected += validated_awards(page_ids)
        expected += writeup_awards(page_ids)
    if links:
        expected += link_awards(page_ids)
    if cites and page_ids is not None:
        ids = set(page_ids)
        posts = [p for p in _load_posts(_posts_citing(ids)) if post_is_live(p)]
        expected += [e for e in cite_awards(posts) if e.source_id in ids]
    return expected


def page_scope(page_ids, *, own=True, links=True, cites=True):
    """Return the clause on the ledger matching ``expected_for_pages``."""
    ids = list(page_ids)
    on_page = sa.and_(PointEntry.source_type == "page", PointEntry.source_id.in_(ids))
    clauses = []
    if own:
        clauses.append(sa.and_(on_page, PointEntry.rule != "page_used"))
    if links:
        clauses.append(
            sa.and_(
                on_page, PointEntry.rule == "page_used", PointEntry.key.like("link:%")
            )
        )
        clauses += [
            sa.and_(PointEntry.rule == "page_used", PointEntry.key.like(f"link:{i}:%"))
            for i in ids
        ]
    if cites:
        clauses.append(
            sa.and_(
                on_page, PointEntry.rule == "page_used", PointEntry.key.like("cite:%")
            )
        )
    return sa.or_(*clauses) if clauses else sa.false()


# --- everything ----------------------------------------------------------------------

# Other packages add derivations for their rules: ``fn() -> list[Expected]``
# covering every award of the rules listed.
DERIVERS: dict[str, object] = {}


def register_deriver(rules: tuple[str, ...], fn) -> None:
    for rule in rules:
        DERIVERS[rule] = fn


def expected_everything() -> list[Expected]:
    """Return every award the content says is due, each once."""
    items = expected_for_posts(None) + expected_for_pages(None, cites=False)
    for fn in {id(f): f for f in DERIVERS.values()}.values():
        items += fn()
    unique = {}
    for item in items:
        unique.setdefault((item.user_id, item.rule, item.key), item)
    return list(unique.values())


def derived_rules() -> list[str]:
    return [r.key for r in rules_module.all_rules() if r.derived or r.key in DERIVERS]


def scope_everything():
    return PointEntry.rule.in_(derived_rules())
