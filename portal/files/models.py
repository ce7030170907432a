"""Stored content (blobs, one per distinct content) and attachments (a blob
under a name, attached to a post, a page, an account or a draft)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import clock
from portal.dbtypes import UTCDateTime
from portal.extensions import db

# What an attachment hangs on. "draft" is an upload into an editor whose post or
# page does not exist yet: owner_id is the uploader, and saving claims it.
OWNER_KINDS = ("post", "page", "account", "draft")
# The families the library filters on and the allowed-types setting names.
KINDS = (
    "image",
    "pdf",
    "document",
    "spreadsheet",
    "presentation",
    "text",
    "archive",
)
TEXT_STATUSES = ("ok", "empty", "failed", "none")


def _now() -> datetime:
    return clock.now()


class Blob(db.Model):
    """One distinct content, stored once under its SHA-256, with what was
    extracted from it (so a duplicate upload is neither stored nor read twice)."""

    __tablename__ = "file_blobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    # Decided from the content, never from the name.
    content_type: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(20))
    width: Mapped[int | None]
    height: Mapped[int | None]
    has_thumbnail: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    # Extracted text for search; status "none" for content without text.
    text: Mapped[str | None] = mapped_column(sa.Text)
    text_status: Mapped[str] = mapped_column(sa.String(10), default="none")
    text_error: Mapped[str | None] = mapped_column(sa.String(500))

    __table_args__ = (
        sa.CheckConstraint(f"text_status IN {TEXT_STATUSES}", name="text_status"),
        # gc looks for old blobs.
        sa.Index("ix_file_blobs_created_at", "created_at"),
    )

    @property
    def is_raster(self) -> bool:
        return self.kind == "image" and self.content_type != "image/svg+xml"

    def __repr__(self) -> str:
        return f"<Blob {self.sha256[:12]} {self.content_type}>"


class Attachment(db.Model):
    """A file as people see it: a name, who uploaded it and when, where it hangs.

    Versions of one file share ``series_id`` (the id of the first version);
    exactly one of them is current.
    """

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    blob_id: Mapped[int] = mapped_column(sa.ForeignKey("file_blobs.id"), index=True)
    owner_kind: Mapped[str] = mapped_column(sa.String(20))
    owner_id: Mapped[int]
    filename: Mapped[str] = mapped_column(sa.String(255))
    # Copied from the blob so lists filter and sort without a join.
    kind: Mapped[str] = mapped_column(sa.String(20), index=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    series_id: Mapped[int | None] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(default=1)
    is_current: Mapped[bool] = mapped_column(default=True)

    blob: Mapped[Blob] = relationship(lazy="joined", innerjoin=True)
    uploaded_by = relationship("User", foreign_keys=[uploaded_by_id])

    __table_args__ = (
        sa.CheckConstraint(f"owner_kind IN {OWNER_KINDS}", name="owner_kind"),
        # "The files of this post / page / account", newest first.
        sa.Index("ix_attachments_owner", "owner_kind", "owner_id", "created_at"),
        sa.Index("ix_attachments_created_at", "created_at"),
    )

    @property
    def url(self) -> str:
        return f"/files/{self.id}"

    @property
    def download_url(self) -> str:
        return f"/files/{self.id}/download"

    @property
    def thumbnail_url(self) -> str | None:
        return f"/files/{self.id}/thumbnail" if self.blob.has_thumbnail else None

    @property
    def content_type(self) -> str:
        return self.blob.content_type

    @property
    def is_image(self) -> bool:
        return self.blob.is_raster

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    def __repr__(self) -> str:
        return f"<Attachment {self.id} {self.owner_kind}:{self.owner_id}>"
