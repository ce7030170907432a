"""The Whoosh index: its schema, opening it, writing to it, building it.

Nothing outside ``portal/search/`` imports Whoosh: the rest of the portal talks
to ``portal.search`` (``query``, ``similar_threads``), so that the index can move
to another engine without touching the packages that search.

A document is a dict of the fields below. ``scope`` says who may see it
(``"all"``, or ``"forum:<id>"`` for a thread and what hangs off it);
``_boost`` weighs its terms at index time (resolved cases above unresolved
threads, archived pages below everything else). An index-time boost, not a
score multiplied at query time, keeps Whoosh's block-skipping optimisations.

Writers: Whoosh allows one writer per index; a second one, in this process or
another, waits for the lock (``WRITE_TIMEOUT`` seconds) and the caller retries
later rather than dropping the update (see ``indexing``).

Versions: the schema's version is written beside the index. An index built
with another schema (or none at all) is never opened: searches report
``IndexUnavailable`` ("rebuild needed") instead of failing on a missing field.
"""

import contextlib
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import (
    DATETIME,
    ID,
    KEYWORD,
    STORED,
    TEXT,
    Schema,
)
from whoosh.filedb.filestore import FileStorage
from whoosh.formats import Frequency, Positions
from whoosh.index import LockError
from whoosh.scoring import BM25F
from whoosh.system import pack_uint

from portal.search.analysis import MixedAnalyzer, text_analyzer, word_analyzer
from portal.search.codec import Codec

# Bump when the fields or the analyzers change: old indexes then ask for a rebuild.
SCHEMA_VERSION = "tacit-search-8"
VERSION_FILE = "TACIT_SCHEMA"
WRITE_TIMEOUT = 30.0
# Segments stay separate files: a write does not copy its new segment into a
# compound file (the index update after a commit went from 260 to 15 ms median
# at 100,000 documents), and a searcher reads each file directly.
COMPOUND = False
# Stored text is what snippets are cut from; indexed text may be longer.
STORED_CHARS = 20_000
INDEXED_CHARS = 200_000


class IndexUnavailable(Exception):
    """The index cannot be used: ``reason`` is missing, outdated or unreadable."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class FastText(TEXT):
    """A TEXT field whose postings come from one pass of its analyzer.

    Whoosh's own ``index`` drives the analyzer's token stream through the
    format's ``word_values``; ``MixedAnalyzer.positions_of`` gives the same
    terms, positions, frequencies and weights without a ``Token`` per word
    (the bytes written are the same).
    """

    def index(self, value, **kwargs):
        analyzer, fmt = self.analyzer, self.format
        if (
            not isinstance(value, str)
            or not isinstance(analyzer, MixedAnalyzer)
            or type(fmt) not in (Positions, Frequency)
        ):
            yield from super().index(value, **kwargs)
            return
        boost = fmt.field_boost
        encode = fmt.encode if type(fmt) is Positions else None
        for word, poses in analyzer.positions_of(value).items():
            freq = len(poses)
            value = encode(poses) if encode else pack_uint(freq)
            yield word.encode("utf-8"), freq, float(freq) * boost, value


def make_schema() -> Schema:
    text = text_analyzer()
    return Schema(
        key=ID(unique=True, stored=True),
        kind=ID(stored=True),
        doc_id=STORED,
        title=FastText(analyzer=text, stored=True),
        # Stored for snippets; searched through ``content`` (title and body in
        # one field: one posting list per word, so AND queries skip quickly).
        body=STORED,
        content=FastText(analyzer=text),
        # Whole, unstemmed words of titles and names: "did you mean".
        spell=FastText(analyzer=word_analyzer(), phrase=False),
        url=STORED,
        date=DATETIME(stored=True, sortable=True),
        scope=ID,
        accounts=KEYWORD,
        tags=KEYWORD(lowercase=True),
        authors=KEYWORD,
        flags=KEYWORD(stored=True),
        meta=STORED,
    )


def _version_of(path: Path) -> str | None:
    try:
        return (path / VERSION_FILE).read_text().split()[0]
    except (OSError, IndexError):
        return None


def _exists(path: Path) -> bool:
    """Whether ``path`` holds an index, without opening it.

    Opening unpickles the schema, which names our analyzer's classes: an index
    built by an older version of the portal can name classes that are gone.
    """
    return path.is_dir() and any(path.glob("_MAIN_*.toc"))


def status(path: str | os.PathLike) -> str:
    """Return ``ok``, ``missing`` or ``outdated`` for the index at ``path``."""
    path = Path(path)
    if not _exists(path):
        return "missing"
    if _version_of(path) != SCHEMA_VERSION:
        return "outdated"
    return "ok"


def open_index(path: str | os.PathLike):
    """Open the index at ``path``.

    :raises IndexUnavailable: when it is missing, was built with another schema,
        or cannot be read.
    """
    path = Path(path)
    state = status(path)
    if state != "ok":
        raise IndexUnavailable(state, str(path))
    try:
        ix = _open_dir(path)
    except Exception as error:  # a damaged TOC, a truncated file, permissions
        raise IndexUnavailable("unreadable", str(error)) from error
    if set(ix.schema.names()) != set(make_schema().names()):
        raise IndexUnavailable("outdated", str(path))
    return ix


def _open_dir(path: Path):
    """Open the index in ``path`` reading its files, not mapping them.

    Whoosh maps a segment's compound file and then wraps each part of the
    mapping in a ``BytesIO``, which copies it: every searcher (then one per thread)
    held its own copy of the whole term index (at size M of the page
    benchmark, 230 MB per searcher). Read through the file, parts are read
    when they are needed and the operating system's cache is shared.
    """
    return FileStorage(str(path), supports_mmap=False).open_index()


# --- searching: a few searchers per process, shared by its threads ---------------
#
# A searcher holds open files and per-segment caches (a few MB on a large
# index). One per thread would mean one per server thread (gunicorn --threads
# 100: each new thread opened the index again and kept it), so a process keeps
# a small pool: a search takes an idle searcher, or opens one, and gives it
# back; at most ``MAX_SEARCHERS`` are in use at once (on 2 cores more would
# only wait for the CPU) and at most ``MAX_IDLE`` are kept between searches.

MAX_SEARCHERS = 4
MAX_IDLE = 2


class _Pool:
    def __init__(self):
        self.lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(MAX_SEARCHERS)
        self.idle: dict[str, list] = {}  # path -> [(stamp, searcher)], newest last

    def take(self, key: str):
        with self.lock:
            found = self.idle.get(key)
            return found.pop() if found else None

    def give(self, key: str, entry) -> None:
        with self.lock:
            found = self.idle.setdefault(key, [])
            if len(found) < MAX_IDLE:
                found.append(entry)
                return
        _close(entry[1])

    def drain(self) -> list:
        with self.lock:
            entries = [e for found in self.idle.values() for e in found]
            self.idle.clear()
        return entries


_pool = _Pool()


def _stamp(path: Path):
    """What changes when a rebuild swaps a new index into place."""
    st = (path / VERSION_FILE).stat()
    return (path.stat().st_ino, st.st_ino, st.st_mtime_ns)


@contextmanager
def searcher(path: str | os.PathLike):
    """Yield an up-to-date searcher of the index at ``path``.

    :raises IndexUnavailable: see ``open_index``.
    """
    path = Path(path)
    key = str(path)
    with _pool.slots:
        entry = _pool.take(key)
        try:
            stamp = _stamp(path)
        except OSError:
            stamp = None
        if entry is not None and (stamp is None or entry[0] != stamp):
            _close(entry[1])
            entry = None
        try:
            if entry is not None and entry[1].up_to_date():
                s = entry[1]
            else:
                # Not ``refresh()``: it reuses segment readers, and a reused
                # reader misses deletions made in its segment since (an updated
                # document would show twice). A new searcher reads them afresh.
                if entry is not None:
                    _close(entry[1])
                s = open_index(path).searcher(weighting=BM25F())
        except IndexUnavailable:
            raise
        except Exception as error:
            raise IndexUnavailable("unreadable", str(error)) from error
        try:
            yield s
        except BaseException:
            _close(s)  # it may be half-way through something: do not reuse it
            raise
        _pool.give(key, (stamp, s))


def _close(s) -> None:
    # A searcher of an index a rebuild removed may not close cleanly.
    with contextlib.suppress(Exception):
        s.close()


def forget_searchers() -> None:
    """Close the idle searchers (tests, and after a rebuild)."""
    for _, s in _pool.drain():
        _close(s)


# --- writing ---------------------------------------------------------------------


_IN_PROCESS = threading.Lock()


_CODEC = Codec()


@contextmanager
def writer(path: str | os.PathLike, timeout: float = WRITE_TIMEOUT):
    """Yield a writer of the index at ``path``; commit if the block succeeds.

    Waits up to ``timeout`` seconds for another writer (this process or another)
    to finish.

    :raises IndexUnavailable: see ``open_index``.
    :raises LockError: when the lock stays taken for ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    # One writer per process at a time. Whoosh reads the index's table of
    # contents right after taking its file lock; a thread that does so while
    # another thread of this process commits can fail there, and then the
    # lock stays taken until the process ends (seen under a threaded server).
    if not _IN_PROCESS.acquire(timeout=timeout):
        raise LockError("another thread of this process is writing the index")
    try:
        with _writer(path, deadline) as w:
            yield w
    finally:
        _IN_PROCESS.release()


@contextmanager
def _writer(path, deadline: float):
    while True:
        ix = open_index(path)
        w = ix.writer(
            timeout=max(deadline - time.monotonic(), 0.0),
            delay=0.02,
            codec=_CODEC,
            compound=COMPOUND,
        )
        if _holds_current_lock(path, w):
            break
        # A rebuild swapped the folder between opening the lock file and
        # locking it: the lock guards the old index. Try again on the new one.
        w.cancel()
        ix.close()
        if time.monotonic() > deadline:
            raise LockError("the index was swapped while waiting")
    try:
        yield w
    except BaseException:
        w.cancel()
        raise
    else:
        try:
            w.commit()
        except BaseException:
            # A commit that fails half-way leaves the file lock taken until
            # the writer is garbage-collected; every later writer would wait.
            if w.writelock is not None and w.writelock.fd is not None:
                w.writelock.release()
            raise
    finally:
        ix.close()


def _holds_current_lock(path: Path, w) -> bool:
    lock = w.writelock
    fd = getattr(lock, "fd", None)
    if fd is None:
        return True  # not a file lock (another platform): nothing to compare
    try:
        return os.fstat(fd).st_ino == os.stat(lock.filename).st_ino
    except OSError:
        return False


def apply(w, upserts: Iterable[dict], deletes: Iterable[str]) -> None:
    """Write documents (replacing those with the same key) and delete keys."""
    for key in deletes:
        w.delete_by_term("key", key)
    for doc in upserts:
        w.update_document(**_clip(doc))


def _clip(doc: dict) -> dict:
    doc = dict(doc)
    body = doc.get("body") or ""
    doc["content"] = f"{doc.get('title') or ''}\n{body[:INDEXED_CHARS]}"
    doc["body"] = body[:STORED_CHARS]
    return doc


def keys(path: str | os.PathLike) -> set[str]:
    """Return every document key in the index."""
    with searcher(path) as s:
        # Not the lexicon: it still lists the terms of deleted documents.
        return {fields["key"] for fields in s.all_stored_fields()}


def doc_count(path: str | os.PathLike) -> int:
    with searcher(path) as s:
        return s.doc_count()


@contextmanager
def build(path: str | os.PathLike, *, procs: int = 1, limitmb: int = 256):
    """Build a new index beside ``path``; swap it into place if the block succeeds.

    Yields a function ``add(doc)``. While building, the old index (if any) stays
    searchable and its write lock is held, so writers wait and their updates
    stay queued; they are applied to the new index afterwards.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_name(f"{path.name}.new-{uuid.uuid4().hex[:8]}")
    fresh.mkdir()
    old_lock = None
    try:
        if _exists(path):
            # The lock is a file beside the index: taking it does not open the
            # index, which may be unreadable or built by an older portal.
            old_lock = FileStorage(str(path)).lock("MAIN_WRITELOCK")
            deadline = time.monotonic() + WRITE_TIMEOUT
            while not old_lock.acquire(blocking=False):
                if time.monotonic() > deadline:
                    old_lock = None
                    raise LockError("the index is being written")
                time.sleep(0.05)
        ix = whoosh_index.create_in(str(fresh), make_schema())
        kwargs = {"limitmb": limitmb, "compound": COMPOUND}
        if procs > 1:
            kwargs.update(procs=procs, multisegment=True)
        w = ix.writer(codec=_CODEC, **kwargs)

        def add(doc: dict) -> None:
            w.add_document(**_clip(doc))

        try:
            yield add
        except BaseException:
            w.cancel()
            raise
        w.commit()
        ix.close()
        (fresh / VERSION_FILE).write_text(f"{SCHEMA_VERSION} {uuid.uuid4().hex}\n")
        _swap(fresh, path)
    finally:
        if old_lock is not None:
            old_lock.release()
        if fresh.exists():
            shutil.rmtree(fresh, ignore_errors=True)
    forget_searchers()


def _swap(fresh: Path, path: Path) -> None:
    old = path.with_name(f"{path.name}.old-{uuid.uuid4().hex[:8]}")
    if path.exists():
        path.rename(old)
    fresh.rename(path)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def size_bytes(path: str | os.PathLike) -> int:
    return sum(f.stat().st_size for f in Path(path).iterdir() if f.is_file())
