"""The migrations build exactly the schema the models describe."""

import uuid

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from portal import create_app
from portal.extensions import db
from tests.conftest import TEST_DATABASE_URL, on_postgres


def _fresh_database_url(tmp_path) -> tuple[str, callable]:
    if on_postgres():
        schema = f"mig_{uuid.uuid4().hex[:10]}"
        engine = sa.create_engine(TEST_DATABASE_URL)
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

        def drop():
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()

        sep = "&" if "?" in TEST_DATABASE_URL else "?"
        return f"{TEST_DATABASE_URL}{sep}options=-csearch_path%3D{schema}", drop
    return f"sqlite:///{tmp_path / 'migrated.db'}", lambda: None


def test_migrations_match_models(tmp_path):
    url, drop = _fresh_database_url(tmp_path)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(tmp_path),
            "TESTING": True,
        }
    )
    try:
        with app.app_context():
            upgrade()
            with db.engine.connect() as conn:
                context = MigrationContext.configure(
                    conn, opts={"compare_type": True, "render_as_batch": True}
                )
                diff = compare_metadata(context, db.metadata)
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
    assert diff == [], f"models and migrations disagree: {diff}"
