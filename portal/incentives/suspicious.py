"""Suspicious voting, for moderators: one person upvoting another many times in a
day, and pairs upvoting each other. Moderators can reverse the points those
votes earned in one action; the votes stay (they are the forums' data), and a
vote whose points a moderator reversed never earns them again.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from portal import clock
from portal.auth.models import User
from portal.errors import Invalid, NotFound
from portal.extensions import db
from portal.forums.models import Post, Vote
from portal.incentives import ledger
from portal.incentives import rules as rules_module
from portal.incentives.models import PointEntry
from portal.incentives.rules import UPVOTE_RULES


@dataclass
class Pair:
    """Upvotes from ``voter`` to ``author`` in the window."""

    voter: User
    author: User
    votes: int
    busiest_day: date
    busiest_count: int
    back: int = 0  # upvotes from author to voter in the same window
    points: int = 0  # points the voter's upvotes still give the author
    mutual: bool = field(default=False)


def window(days: int | None = None):
    days = days or int(rules_module.setting("suspicious_window_days"))
    end = clock.now()
    return end - timedelta(days=days), end


def _upvotes(start, end):
    return (
        sa.select(
            Vote.user_id.label("voter"),
            Post.author_id.label("author"),
            Vote.created_at,
        )
        .join(Post, Post.id == Vote.post_id)
        .where(
            Vote.value == 1,
            Vote.created_at >= start,
            Vote.created_at <= end,
            Vote.user_id != Post.author_id,
        )
    )


def pairs(days: int | None = None) -> list[Pair]:
    """Return the suspicious voter → author pairs of the last ``days`` days.

    A pair is suspicious when the voter upvoted the author at least the daily
    threshold in one UTC day, or when both upvoted each other at least the
    mutual threshold in the window. Most votes first.
    """
    settings = rules_module.settings()
    daily, mutual = (
        settings["suspicious_daily_votes"],
        settings["suspicious_mutual_votes"],
    )
    start, end = window(days)
    sub = _upvotes(start, end).subquery()
    counts = {
        (v, a): n
        for v, a, n in db.session.execute(
            sa.select(sub.c.voter, sub.c.author, sa.func.count())
            .group_by(sub.c.voter, sub.c.author)
            .having(sa.func.count() >= min(daily, mutual))
        )
    }
    if not counts:
        return []
    # Per-day detail only for the candidate pairs.
    days_count: dict[tuple, Counter] = defaultdict(Counter)
    voters = {v for v, _ in counts}
    for v, a, when in db.session.execute(
        _upvotes(start, end).where(Vote.user_id.in_(voters))
    ):
        if (v, a) in counts:
            days_count[(v, a)][when.date()] += 1
    found = {}
    for (v, a), n in counts.items():
        day, busiest = max(days_count[(v, a)].items(), key=lambda kv: (kv[1], kv[0]))
        back = counts.get((a, v), 0)
        is_mutual = n >= mutual and back >= mutual
        if busiest >= daily or is_mutual:
            found[(v, a)] = (n, day, busiest, back, is_mutual)
    if not found:
        return []
    ids = {i for pair in found for i in pair}
    users = {
        u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))
    }
    points = _standing_points(list(found), start, end)
    result = [
        Pair(users[v], users[a], n, day, busiest, back, points.get((v, a), 0), m)
        for (v, a), (n, day, busiest, back, m) in found.items()
    ]
    return sorted(result, key=lambda p: (-p.votes, p.voter.username, p.author.username))


def _standing_points(keys, start, end) -> dict[tuple, int]:
    awards = (
        ledger.live_awards()
        .where(
            PointEntry.rule.in_(UPVOTE_RULES),
            PointEntry.created_at >= start,
            PointEntry.created_at <= end,
            sa.tuple_(PointEntry.actor_id, PointEntry.user_id).in_(keys),
        )
        .subquery()
    )
    return {
        (v, a): int(p or 0)
        for v, a, p in db.session.execute(
            sa.select(
                awards.c.actor_id, awards.c.user_id, sa.func.sum(awards.c.points)
            ).group_by(awards.c.actor_id, awards.c.user_id)
        )
    }


def reverse_pair(voter_id, author_id, moderator: User, *, days=None, both=False) -> int:
    """Reverse the points ``voter``'s upvotes gave ``author`` in the window
    (with ``both``, also the other way round); return how many awards.

    :raises Invalid: when the ids are malformed or name the same person.
    :raises NotFound: when either person does not exist.
    """
    try:
        voter_id, author_id = int(voter_id), int(author_id)
    except (TypeError, ValueError):
        raise Invalid(_("Choose a pair of people.")) from None
    if voter_id == author_id:
        raise Invalid(_("Choose two different people."))
    voter, author = db.session.get(User, voter_id), db.session.get(User, author_id)
    if voter is None or author is None:
        raise NotFound(_("There is no such person."))
    start, end = window(days)
    directions = [(voter_id, author_id)] + ([(author_id, voter_id)] if both else [])
    note = _(
        "Suspicious voting reversed by %(moderator)s", moderator=moderator.display_name
    )
    done = 0
    for v, a in directions:
        done += ledger.reverse_where(
            PointEntry.rule.in_(UPVOTE_RULES),
            PointEntry.user_id == a,
            PointEntry.actor_id == v,
            PointEntry.created_at >= start,
            PointEntry.created_at <= end,
            reason="moderation",
            actor_id=moderator.id,
            note=note,
        )
    return done
