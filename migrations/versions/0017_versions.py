"""versions: the risk versions, now for every cache of an account's knowledge

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-28 22:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def _move(source: str, target: str) -> None:
    op.create_table(
        target,
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("subject", name=op.f(f"pk_{target}")),
    )
    # Kept, not restarted: a process still running holds keys on them.
    op.execute(
        f"INSERT INTO {target} (subject, version) SELECT subject, version FROM {source}"
    )
    op.drop_table(source)


def upgrade():
    _move("risk_versions", "versions")


def downgrade():
    _move("versions", "risk_versions")
