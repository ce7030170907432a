"""The search outbox: what the index must catch up with, written with the change."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal import clock
from portal.dbtypes import UTCDateTime
from portal.extensions import db


def _now() -> datetime:
    return clock.now()


class SearchOutbox(db.Model):
    """One document to re-index: written in the transaction that changed it.

    A rolled-back change takes its row with it; a committed one keeps it until
    the index has the new version (drained after commit, by the next write in
    any process, or by ``search rebuild``).
    """

    __tablename__ = "search_outbox"
    # Ids are never reused (SQLite reuses a deleted rowid without
    # AUTOINCREMENT): a drain deletes the ids it read after writing the index,
    # and must not delete a newer row that was given one of them meanwhile.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20))
    doc_id: Mapped[int] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)

    def __repr__(self) -> str:
        return f"<SearchOutbox {self.kind}:{self.doc_id}>"
