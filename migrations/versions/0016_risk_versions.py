"""risk versions: what invalidates a remembered knowledge-at-risk

Revision ID: 0016
Revises: 0014
Create Date: 2026-11-28 04:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "risk_versions",
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_risk_versions")),
    )


def downgrade():
    op.drop_table("risk_versions")
