"""circular foreign keys on PostgreSQL

The revisions for forums and wiki were generated on SQLite, which creates these
three foreign keys inline with their tables; on PostgreSQL the tables point at
each other, so the keys are added once both exist.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_foreign_key(
        "fk_forums_last_thread_id", "forums", "threads", ["last_thread_id"], ["id"],
        deferrable=True, initially="DEFERRED",
    )
    op.create_foreign_key(
        "fk_threads_accepted_post_id", "threads", "posts", ["accepted_post_id"], ["id"],
        deferrable=True, initially="DEFERRED",
    )
    op.create_foreign_key(
        "fk_pages_current_revision_id_revisions", "pages", "revisions",
        ["current_revision_id"], ["id"], ondelete="SET NULL",
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_constraint("fk_pages_current_revision_id_revisions", "pages", type_="foreignkey")
    op.drop_constraint("fk_threads_accepted_post_id", "threads", type_="foreignkey")
    op.drop_constraint("fk_forums_last_thread_id", "forums", type_="foreignkey")
