"""Keeping the index current: outbox rows in the transaction, index writes after.

1. A content signal fires inside the transaction (after flush). The kind
   modules say which documents changed; ``mark`` writes one ``search_outbox``
   row per document, in that same transaction, and asks ``effects.after_commit``
   to drain the outbox. A rollback takes the rows and the request with it:
   nothing reaches the index.
2. After commit, ``drain`` takes the index's write lock (waiting for a writer in
   another process, never failing over it), reads the pending rows, loads the
   current version of each document from the database and writes it (or
   deletes it), commits the index, and only then deletes the rows it handled.
   Because documents are read while the lock is held, the last writer always
   writes the latest committed state; a row whose drain failed (the process
   died, the lock stayed taken, the index is missing) stays and is handled by
   the next drain in any process, or by ``search rebuild``.
3. With ``SEARCH_ASYNC`` (the default outside tests) the drain runs in one
   background thread per process, so a request does not wait for Whoosh; the
   thread is woken after each commit. Otherwise it runs right after commit,
   in its own app context (its own database session).
"""

import atexit
import logging
import os
import threading
from collections import defaultdict

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session
from whoosh.index import LockError

from portal import clock, effects
from portal.extensions import db
from portal.search import backend, kinds
from portal.search.models import SearchOutbox

log = logging.getLogger(__name__)

_DIRTY = "tacit_search_dirty"
_warned: set[str] = set()
BATCH = 500


def index_dir(app=None) -> str:
    return (app or current_app).config["SEARCH_INDEX_DIR"]


# --- 1. in the transaction ------------------------------------------------------


def mark(kind: str, ids) -> None:
    """Queue documents of ``kind`` for re-indexing once this transaction commits."""
    session = db.session()
    dirty = session.info.setdefault(_DIRTY, set())
    new = {(kind, int(i)) for i in ids or () if i is not None} - dirty
    if not new:
        return
    if not dirty:
        effects.after_commit(kick, current_app._get_current_object())
    dirty.update(new)
    now = clock.now()
    session.execute(
        sa.insert(SearchOutbox),
        [{"kind": k, "doc_id": i, "created_at": now} for k, i in sorted(new)],
    )


def _forget_dirty(session, *args) -> None:
    # A new transaction starts with nothing marked; after a rolled-back
    # savepoint, mark again rather than trust rows that may be gone.
    session.info.pop(_DIRTY, None)


def _receiver(kind: str, fn):
    def receive(sender, **kwargs):
        mark(kind, fn(sender, **kwargs))

    return receive


def connect() -> None:
    """Subscribe every kind's dirty-marking signals (once)."""
    if getattr(connect, "_done", False):
        return
    for module in kinds.KINDS:
        for signal, fn in module.DIRTY:
            signal.connect(_receiver(module.KIND, fn), weak=False)
    sa.event.listen(Session, "after_commit", _forget_dirty)
    sa.event.listen(Session, "after_soft_rollback", _forget_dirty)
    connect._done = True


# --- 2. after commit --------------------------------------------------------------


def kick(app) -> None:
    """Drain the outbox now, or wake this process's indexing thread."""
    if app.config.get("SEARCH_ASYNC"):
        _worker(app).wake()
        return
    with app.app_context():
        drain()


def drain(limit: int = BATCH, timeout: float = backend.WRITE_TIMEOUT) -> int:
    """Apply pending outbox rows to the index; return how many were applied.

    Call it in an app context whose session has no pending work. Rows stay in
    the outbox when the index is missing or outdated (rebuild handles them) or
    when another writer holds the lock for ``timeout`` seconds.
    """
    path = index_dir()
    done = 0
    registry = kinds.by_name()
    while True:
        try:
            with backend.writer(path, timeout=timeout) as w:
                rows = db.session.execute(
                    sa.select(SearchOutbox.id, SearchOutbox.kind, SearchOutbox.doc_id)
                    .order_by(SearchOutbox.id)
                    .limit(limit)
                ).all()
                if not rows:
                    raise _Nothing
                wanted = defaultdict(set)
                for _, kind, doc_id in rows:
                    if kind in registry:
                        wanted[kind].add(doc_id)
                upserts, deletes = [], []
                for kind, ids in wanted.items():
                    docs = registry[kind].load(sorted(ids))
                    for doc_id in ids:
                        doc = docs.get(doc_id)
                        if doc is None:
                            deletes.append(f"{kind}:{doc_id}")
                        else:
                            upserts.append(document(kind, doc_id, doc))
                backend.apply(w, upserts, deletes)
                db.session.rollback()  # end the read; nothing was written
        except _Nothing:
            db.session.rollback()
            break
        except backend.IndexUnavailable as error:
            db.session.rollback()
            # Once per process and reason: every commit would say it again.
            if error.reason not in _warned:
                _warned.add(error.reason)
                log.warning(
                    "search index %s: updates wait for `flask --app portal search "
                    "rebuild`",
                    error.reason,
                )
            break
        except LockError:
            db.session.rollback()
            log.warning("search index busy for %ss: updates stay queued", timeout)
            break
        db.session.execute(
            sa.delete(SearchOutbox).where(SearchOutbox.id.in_([r[0] for r in rows]))
        )
        db.session.commit()
        done += len(rows)
        if len(rows) < limit:
            break
    return done


class _Nothing(Exception):
    """Raised inside the writer block to cancel it: the outbox is empty."""


def pending() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox))


def document(kind: str, doc_id: int, doc: dict) -> dict:
    """Return the index fields of a kind module's document."""
    title = doc.get("title") or ""
    spell = " ".join(filter(None, [title, doc.get("spell") or ""]))
    return {
        "key": f"{kind}:{doc_id}",
        "kind": kind,
        "doc_id": doc_id,
        "title": title,
        "body": doc.get("body") or "",
        "spell": spell,
        "url": doc["url"],
        "date": _naive_utc(doc.get("date")),
        "scope": doc.get("scope") or "all",
        "accounts": " ".join(str(a) for a in doc.get("accounts") or ()),
        "tags": " ".join(str(t) for t in doc.get("tags") or ()),
        "authors": " ".join(str(a) for a in doc.get("authors") or ()),
        "flags": " ".join(doc.get("flags") or ()),
        "_boost": float(doc.get("rank") or 1.0),
        "meta": doc.get("meta") or {},
    }


def _naive_utc(value):
    # Whoosh compares naive datetimes; the portal's are aware and in UTC.
    if value is None:
        return None
    if value.tzinfo is not None:
        from datetime import UTC

        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


# --- the background thread ------------------------------------------------------------


class _Worker:
    """One thread per process that drains the outbox when woken."""

    def __init__(self, app):
        self.app = app
        self.event = threading.Event()
        self.idle = threading.Event()
        self.idle.set()
        self.pid = None
        self.thread = None
        self.lock = threading.Lock()

    def wake(self) -> None:
        with self.lock:
            if (
                self.thread is None
                or not self.thread.is_alive()
                or self.pid != os.getpid()
            ):
                self.pid = os.getpid()
                self.thread = threading.Thread(
                    target=self._run, name="search-indexer", daemon=True
                )
                self.thread.start()
            self.idle.clear()
            self.event.set()

    def _run(self) -> None:
        while True:
            self.event.wait()
            self.event.clear()
            try:
                with self.app.app_context():
                    drain()
            except Exception:
                log.exception("search indexing failed; the outbox keeps the updates")
            if not self.event.is_set():
                self.idle.set()

    def wait(self, timeout: float = 30.0) -> bool:
        return self.idle.wait(timeout)


_workers: dict[int, _Worker] = {}
_workers_lock = threading.Lock()


def _worker(app) -> _Worker:
    with _workers_lock:
        worker = _workers.get(id(app))
        if worker is None or worker.app is not app:  # ids are reused
            worker = _workers[id(app)] = _Worker(app)
        return worker


def wait_idle(app=None, timeout: float = 30.0) -> bool:
    """Wait until this process's indexing thread has nothing left to do."""
    app = app or current_app._get_current_object()
    worker = _workers.get(id(app))
    return True if worker is None or worker.app is not app else worker.wait(timeout)


@atexit.register
def _finish() -> None:
    # A CLI command exits right after its commit: let the thread finish.
    for worker in list(_workers.values()):
        worker.wait(backend.WRITE_TIMEOUT)


# --- rebuild and check ---------------------------------------------------------


def rebuild(progress=None, chunk: int = 500, procs: int = 1) -> int:
    """Rebuild the whole index from the database; return the number of documents.

    The old index stays searchable meanwhile. Rows in the outbox before the
    rebuild began are covered by it and removed; later ones are drained after.
    ``progress(n)`` is called as documents are added.
    """
    path = index_dir()
    before = list(db.session.scalars(sa.select(SearchOutbox.id)))
    total = 0
    with backend.build(path, procs=procs) as add:
        for module in kinds.KINDS:
            ids = list(module.all_ids())
            for start in range(0, len(ids), chunk):
                part = ids[start : start + chunk]
                docs = module.load(part)
                for doc_id in part:
                    doc = docs.get(doc_id)
                    if doc is not None:
                        add(document(module.KIND, doc_id, doc))
                        total += 1
                if progress:
                    progress(len(part))
                db.session.expunge_all()
        db.session.rollback()
    if before:
        for start in range(0, len(before), 1000):
            db.session.execute(
                sa.delete(SearchOutbox).where(
                    SearchOutbox.id.in_(before[start : start + 1000])
                )
            )
        db.session.commit()
    drain()
    return total


def expected_count() -> int:
    return sum(len(list(module.all_ids())) for module in kinds.KINDS)


def check() -> dict[str, dict[str, list[int]]]:
    """Compare the index with the database: per kind, ``missing`` and ``extra`` ids.

    :raises backend.IndexUnavailable: when there is no usable index.
    """
    present = defaultdict(set)
    for key in backend.keys(index_dir()):
        kind, _, doc_id = key.partition(":")
        if doc_id.isdigit():
            present[kind].add(int(doc_id))
    report = {}
    for module in kinds.KINDS:
        expected = set(module.all_ids())
        got = present.pop(module.KIND, set())
        report[module.KIND] = {
            "missing": sorted(expected - got),
            "extra": sorted(got - expected),
        }
    for kind, ids in present.items():
        report[kind] = {"missing": [], "extra": sorted(ids)}
    return report
