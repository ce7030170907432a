"""search outbox: ids are never reused (AUTOINCREMENT on SQLite)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    # PostgreSQL's sequence never hands an id out twice; SQLite needs the table
    # rebuilt with AUTOINCREMENT.
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "search_outbox",
            recreate="always",
            table_kwargs={"sqlite_autoincrement": True},
        ):
            pass


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("search_outbox", recreate="always"):
            pass
