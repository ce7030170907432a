"""Customer accounts: the customers whose knowledge the portal gathers."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.dbtypes import Timestamps
from portal.extensions import db

# Most valuable first: lists sorted "by tier" show strategic accounts on top.
TIERS = ("strategic", "key", "standard", "small")
STATUSES = ("prospect", "active", "at_risk", "churned")

_TIER_RANKS = {tier: rank for rank, tier in enumerate(TIERS)}


def tier_rank(tier: str) -> int:
    """Return the sort key of ``tier``: 0 for strategic, unknown tiers last."""
    return _TIER_RANKS.get(tier, len(TIERS))


def tier_rank_sql(column):
    """Return a SQL expression ordering ``column`` like ``tier_rank``."""
    return sa.case(_TIER_RANKS, value=column, else_=len(TIERS))


class CustomerAccount(Timestamps, db.Model):
    __tablename__ = "customer_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    # The account's id in the CRM (or ERP): how imports and the API find it.
    crm_ref: Mapped[str] = mapped_column(sa.String(64), unique=True)
    industry: Mapped[str] = mapped_column(sa.String(120), default="", index=True)
    region: Mapped[str] = mapped_column(sa.String(120), default="", index=True)
    tier: Mapped[str] = mapped_column(sa.String(20), default="standard", index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="active", index=True)
    account_manager_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True
    )
    description: Mapped[str] = mapped_column(sa.String(2000), default="")

    account_manager: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(f"tier IN {TIERS}", name="tier"),
        sa.CheckConstraint(f"status IN {STATUSES}", name="status"),
        # The "recently updated" list sorts on it.
        sa.Index("ix_customer_accounts_updated_at", "updated_at"),
    )

    @property
    def url(self) -> str:
        return f"/accounts/{self.id}"

    def __repr__(self) -> str:
        return f"<CustomerAccount {self.crm_ref} {self.name}>"
