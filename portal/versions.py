"""Version numbers kept in the database, raised by the writes that change what
a remembered answer was computed from.

A subject is a string:

- ``account:<id>``: everything known about one customer account;
- ``thread:<id>``: what a forum thread's page shows of the thread itself (its
  posts and votes, where it was written up, the experts asked about it);
- ``all``: what every such page depends on (people's names and whether they
  have left, forum names and restrictions, declared expertise).

A cache (``portal.handover.risk_cache``, the account page, the thread page)
keys what it keeps on the versions of its subjects, read with one small query
per request, so a write seen by one process is seen by all, and nothing has
to be invalidated: a raised version makes a new key.

Packages say which subjects their writes touch, so this module imports none of
them:

- ``on_flush(Model, subjects)``: after each flush, ``subjects(session, objs)``
  is called with the flushed new, changed and deleted ``Model`` rows and
  returns the subjects they touch;
- ``touch(*subjects)``: for rows written around the ORM (Core inserts).

A transaction that raised a version neither reads nor fills a cache until it
ends (``raised()``): what it sees may yet be rolled back. Writes that go
around both (bulk loads, SQL by hand) raise nothing: restart the server after
them (``experts rebuild`` raises ``all`` itself).
"""

from collections.abc import Callable, Iterable

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.dbtypes import dialect_insert
from portal.extensions import db

ALL = "all"
_RAISED = "versions_raised"


class Version(db.Model):
    """How often a subject's knowledge has changed (see the module)."""

    __tablename__ = "versions"

    subject: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


# Every request reads versions: the statement is built once.
_READ = sa.select(Version.subject, Version.version).where(
    Version.subject.in_(sa.bindparam("subjects", expanding=True))
)


def account(account_id: int) -> str:
    return f"account:{account_id}"


def thread(thread_id: int) -> str:
    return f"thread:{thread_id}"


# --- reading -----------------------------------------------------------------------


def raised(session: Session | None = None) -> bool:
    """Whether the open transaction raised a version (so caches step aside)."""
    return bool((session or db.session()).info.get(_RAISED))


def read(subjects: Iterable[str]) -> tuple[int, ...]:
    """The versions of ``subjects``, in their order (0 for one never raised).

    Read once per request for the same subjects.
    """
    subjects = tuple(subjects)
    memo = g.setdefault("_versions", {}) if has_request_context() else {}
    found = memo.get(subjects)
    if found is None:
        rows = dict(db.session.execute(_READ, {"subjects": subjects}).all())
        found = tuple(rows.get(s, 0) for s in subjects)
        memo[subjects] = found
    return found


def remembered(memory, key, subjects, compute):
    """Return ``compute()``, kept in ``memory`` (an ``LRU``) under ``key`` while
    the versions of ``subjects`` stay the same; computed anew, and not kept,
    in a transaction that raised a version.

    ``compute`` must return something nobody will modify (it is shared), and
    ``key`` must hold everything else it depends on (what the reader may see).
    """
    if raised():
        return compute()
    full = (key, read(subjects))
    value = memory.get(full)
    if value is None:
        value = compute()
        memory.put(full, value)
    return value


def remembered_each(memory, key, account_ids, compute) -> dict:
    """``{account id: value}`` for each of ``account_ids``, each kept in
    ``memory`` under ``key``, the account and its versions (as
    ``remembered``); ``compute(ids)`` returns ``{id: value}`` for those not
    kept (an id it leaves out gets ``()``), in one go."""
    ids = list(dict.fromkeys(account_ids))
    if raised():
        return compute(ids)
    *each, everyone = read([*(account(i) for i in ids), ALL])
    keys = {i: (key, i, v, everyone) for i, v in zip(ids, each, strict=True)}
    found = {i: memory.get(k) for i, k in keys.items()}
    missing = [i for i, value in found.items() if value is None]
    if missing:
        computed = compute(missing)
        for i in missing:
            found[i] = computed.get(i, ())
            memory.put(keys[i], found[i])
    return found


# --- raising -------------------------------------------------------------------------

# Model class -> the functions that name the subjects its flushed rows touch.
_WATCHERS: dict[type, list[Callable]] = {}


def on_flush(model: type, subjects: Callable[[Session, list], Iterable[str]]) -> None:
    """After each flush with new, changed or deleted ``model`` rows, raise the
    versions ``subjects(session, rows)`` names (registering twice is harmless)."""
    watchers = _WATCHERS.setdefault(model, [])
    if subjects not in watchers:
        watchers.append(subjects)


def changed(obj, names: Iterable[str]) -> bool:
    """Whether this flush changes any of ``obj``'s attributes ``names``."""
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def removed(obj, name: str) -> list:
    """What this flush takes out of ``obj``'s collection or reference ``name``."""
    return list(sa.inspect(obj).attrs[name].history.deleted)


def removed_accounts(objs, name: str = "accounts") -> set[str]:
    """The subjects of the accounts this flush takes out of each of ``objs``'
    collection ``name`` (they are no longer about them)."""
    return {account(a.id) for obj in objs for a in removed(obj, name)}


def touch(*subjects: str, session: Session | None = None) -> None:
    """Raise the versions of ``subjects`` in the open transaction."""
    _raise(session or db.session(), set(subjects))


def _raise(session: Session, subjects: set[str]) -> None:
    subjects.discard(None)
    if not subjects:
        return
    table = Version.__table__
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


def _after_flush(session: Session, _flush_context) -> None:
    if not _WATCHERS:
        return
    by_model: dict[type, list] = {}
    for obj in (*session.new, *session.dirty, *session.deleted):
        for model in type(obj).__mro__:
            if model in _WATCHERS:
                by_model.setdefault(model, []).append(obj)
    subjects: set[str] = set()
    for model, objs in by_model.items():
        for watcher in _WATCHERS[model]:
            subjects.update(watcher(session, objs))
    _raise(session, subjects)


def _committed(session: Session) -> None:
    # A released savepoint is reported as a commit too: the transaction that
    # raised the versions is still open.
    if not session.in_nested_transaction():
        session.info.pop(_RAISED, None)


def _rolled_back(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_RAISED, None)


def _forget(*_args) -> None:
    # What this request read before it wrote is read again afterwards.
    if has_request_context():
        g.pop("_versions", None)


def init_app(app) -> None:
    if getattr(init_app, "_installed", False):
        return
    sa.event.listen(Session, "after_flush", _after_flush)
    sa.event.listen(Session, "after_commit", _committed)
    sa.event.listen(Session, "after_commit", _forget)
    sa.event.listen(Session, "after_soft_rollback", _rolled_back)
    init_app._installed = True
