"""Run effects outside the database only after the transaction commits.

Search indexing, Socket.IO pushes and e-mail must never happen for a change that
is rolled back (DESIGN rule 3). A service calls ``after_commit(fn, *args)`` while
it works; the callbacks wait on the session and run, in order, once the session
commits. A rollback drops them. Arguments should be plain data (ids, strings)
captured at the time, not ORM objects that may be expired by then.
"""

import logging
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_KEY = "tacit_after_commit"


def after_commit(fn: Callable, *args, **kwargs) -> None:
    """Queue ``fn(*args, **kwargs)`` to run after the current session commits."""
    from portal.extensions import db

    session = db.session()
    session.info.setdefault(_KEY, []).append((fn, args, kwargs))


def _run(session: Session) -> None:
    if session.in_nested_transaction():
        # SQLAlchemy also reports a released SAVEPOINT as a commit; the real
        # transaction is still open and may yet roll back.
        return
    pending = session.info.pop(_KEY, [])
    for fn, args, kwargs in pending:
        try:
            fn(*args, **kwargs)
        except Exception:
            # The data is committed; a failed side effect must not turn the
            # user's successful action into an error. It is logged, and derived
            # stores (the search index) can be rebuilt from the database.
            log.exception("after-commit effect %r failed", fn)


def _drop(session: Session) -> None:
    session.info.pop(_KEY, None)


def init_app(app) -> None:
    """Listen on every session of the app's scoped session factory."""
    if getattr(init_app, "_installed", False):
        return
    sa.event.listen(Session, "after_commit", _run)
    sa.event.listen(Session, "after_soft_rollback", _drop_on_outer_rollback)
    init_app._installed = True


def _drop_on_outer_rollback(session: Session, previous_transaction) -> None:
    # A rolled-back savepoint keeps the outer transaction's effects pending;
    # only the outermost rollback means "nothing happened".
    if not previous_transaction.nested:
        _drop(session)
