"""The migrations build exactly the schema the code declares, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from chatlytics.store.database import Database
from chatlytics.store.migrate import current, head, is_current
from chatlytics.store.schema import metadata


def test_migrated_schema_matches_the_declared_one(db: Database) -> None:
    with db.reader.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_database_is_at_the_head_revision(db: Database) -> None:
    assert current(db) == head()
    assert is_current(db)
