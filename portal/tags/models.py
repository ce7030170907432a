"""Tags: one vocabulary shared by threads, pages, skills and expertise."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.dbtypes import Timestamps
from portal.extensions import db


class Tag(Timestamps, db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    # The lower-cased name: "CRM" and "crm" are one tag.
    key: Mapped[str] = mapped_column(sa.String(40), unique=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    description: Mapped[str] = mapped_column(sa.String(500), default="")

    @property
    def url(self) -> str:
        return f"/tags/{self.slug}"

    def __repr__(self) -> str:
        return f"<Tag {self.name}>"
