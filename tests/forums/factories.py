"""Forums test data through the services (signals fire); each call commits.

Other packages' tests import these: ``from tests.forums.factories import
make_forum, make_thread, make_reply``.
"""

import itertools

from portal.extensions import db
from portal.forums import service

_seq = itertools.count(1)


def make_forum(
    name: str | None = None,
    *,
    kind: str = "discussion",
    department=None,
    slug: str | None = None,
    description: str = "",
):
    forum = service.create_forum(
        name or f"Forum {next(_seq)}",
        slug=slug,
        kind=kind,
        department=department,
        description=description,
    )
    db.session.commit()
    return forum


def make_thread(
    forum,
    author,
    title: str | None = None,
    body: str = "What do we know about this customer?",
    *,
    tags=None,
    accounts=None,
):
    thread = service.create_thread(
        forum,
        author,
        title or f"Thread {next(_seq)}",
        body,
        tags=tags,
        accounts=accounts,
    )
    db.session.commit()
    return thread


def make_reply(thread, author, body: str = "Here is what I know."):
    post = service.reply(thread, author, body)
    db.session.commit()
    return post
