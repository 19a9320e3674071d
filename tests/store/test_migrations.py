"""The migrations build exactly the schema the code declares, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from chatlytics.store.database import Database
from chatlytics.store.migrate import current, downgrade, head, is_current, upgrade
from chatlytics.store.schema import metadata


def test_migrated_schema_matches_the_declared_one(db: Database) -> None:
    with db.reader.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_database_is_at_the_head_revision(db: Database) -> None:
    assert current(db) == head()
    assert is_current(db)


def test_every_migration_is_undone_and_redone(db: Database) -> None:
    try:
        downgrade(db, "base")
        assert current(db) is None
    finally:
        upgrade(db)
    assert is_current(db)
    test_migrated_schema_matches_the_declared_one(db)
