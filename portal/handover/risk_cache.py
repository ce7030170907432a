"""Who knows an account, remembered between page views.

The account page shows the account's knowledge at risk, which adds up a year
of posts and page revisions about the account: the busiest accounts have
hundreds of people in it. The answer changes only when someone writes, so each
process keeps it in memory, keyed by the account, what the viewer may read
(``forums.permissions.reading_scope``), the window's start, and two versions
kept in the database (``RiskVersion``):

- ``account:<id>``, raised by every flush that changes the evidence about that
  account: a post written, deleted or restored; a thread's accounts, forum,
  accepted answer or deletion; a page's accounts, profile account or deletion;
  a revision;
- ``all``, raised when a person leaves, comes back or is renamed, or a forum's
  department changes.

Every process reads the versions with one small query per view, so a write
seen by one process is seen by all. A transaction that raised a version
neither reads nor fills the cache until it ends: what it sees may yet be
rolled back. Writes that go around the ORM (bulk loads, SQL by hand) raise
nothing: restart the server after them.
"""

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.dbtypes import dialect_insert
from portal.extensions import db
from portal.forums.models import Forum, Post, Thread, thread_accounts
from portal.handover.models import RiskVersion
from portal.lru import LRU
from portal.wiki.models import Page, Revision, page_accounts

ALL = "all"
# Entries per process (config HANDOVER_RISK_CACHE). An entry is one account's
# people: about 200 KiB for a busy account at 2,000 staff (460 people), so
# the default holds the busiest accounts in about 15 MB.
SIZE = 64
_EXTENSION = "handover_risk_cache"
_RAISED = "handover_risk_raised"
_PEOPLE_FIELDS = ("active", "left_at", "username", "display_name")


def account_subject(account_id: int) -> str:
    return f"account:{account_id}"


def _versions(account_id: int) -> tuple[int, int]:
    subject = account_subject(account_id)
    found = dict(
        db.session.execute(
            sa.select(RiskVersion.subject, RiskVersion.version).where(
                RiskVersion.subject.in_([subject, ALL])
            )
        ).all()
    )
    return found.get(subject, 0), found.get(ALL, 0)


def remembered(account_id: int, scope: tuple, since, compute):
    """Return ``compute()`` for the account as seen from ``scope`` since
    ``since``, from memory while the account's versions have not changed.

    ``compute`` must return something nobody will modify (it is shared).
    """
    if db.session().info.get(_RAISED):
        return compute()
    memory = current_app.extensions[_EXTENSION]
    key = (account_id, scope, since, *_versions(account_id))
    value = memory.get(key)
    if value is None:
        value = compute()
        memory.put(key, value)
    return value


# --- raising the versions ----------------------------------------------------------


def _changed(obj, names) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _removed_accounts(obj, name: str) -> list[int]:
    """The accounts taken out of ``obj``'s collection ``name`` in this flush."""
    return [a.id for a in sa.inspect(obj).attrs[name].history.deleted]


def _subjects(session: Session) -> set[str]:
    accounts: set[int] = set()
    thread_ids: set[int] = set()
    page_ids: set[int] = set()
    everyone = False
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Post):
            thread_ids.add(obj.thread_id)
        elif isinstance(obj, Thread):
            thread_ids.add(obj.id)
            accounts.update(_removed_accounts(obj, "accounts"))
        elif isinstance(obj, Revision):
            page_ids.add(obj.page_id)
        elif isinstance(obj, Page):
            page_ids.add(obj.id)
            accounts.update(_removed_accounts(obj, "accounts"))
            accounts.update(
                a for a in sa.inspect(obj).attrs.account_id.history.deleted if a
            )
        elif isinstance(obj, User) and obj in session.dirty:
            everyone = everyone or _changed(obj, _PEOPLE_FIELDS)
        elif isinstance(obj, Forum) and obj in session.dirty:
            everyone = everyone or _changed(obj, ("department_id",))
    thread_ids.discard(None)
    page_ids.discard(None)
    connection = session.connection()
    if thread_ids:
        accounts.update(
            connection.execute(
                sa.select(thread_accounts.c.account_id).where(
                    thread_accounts.c.thread_id.in_(thread_ids)
                )
            ).scalars()
        )
    if page_ids:
        accounts.update(
            connection.execute(
                sa.union(
                    sa.select(page_accounts.c.account_id).where(
                        page_accounts.c.page_id.in_(page_ids)
                    ),
                    sa.select(Page.account_id).where(
                        Page.id.in_(page_ids), Page.account_id.is_not(None)
                    ),
                )
            ).scalars()
        )
    subjects = {account_subject(a) for a in accounts}
    if everyone:
        subjects.add(ALL)
    return subjects


def _after_flush(session: Session, _flush_context) -> None:
    subjects = _subjects(session)
    if not subjects:
        return
    table = RiskVersion.__table__
    insert = dialect_insert(session)(table)
    # In one order everywhere, so that two writers never wait on each other
    # in a circle.
    stmt = insert.values(
        [{"subject": s, "version": 1} for s in sorted(subjects)]
    ).on_conflict_do_update(
        index_elements=[table.c.subject], set_={"version": table.c.version + 1}
    )
    session.connection().execute(stmt)
    session.info[_RAISED] = True


def _committed(session: Session) -> None:
    # A released savepoint is reported as a commit too: the transaction that
    # raised the versions is still open.
    if not session.in_nested_transaction():
        session.info.pop(_RAISED, None)


def _rolled_back(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_RAISED, None)


def init_app(app) -> None:
    app.extensions[_EXTENSION] = LRU(app.config.get("HANDOVER_RISK_CACHE", SIZE))
    if getattr(init_app, "_installed", False):
        return
    sa.event.listen(Session, "after_flush", _after_flush)
    sa.event.listen(Session, "after_commit", _committed)
    sa.event.listen(Session, "after_soft_rollback", _rolled_back)
    init_app._installed = True
