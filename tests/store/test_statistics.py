"""refresh_statistics: the planner's statistics after a bulk load, on every backend."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from chatlytics.lifecycle import backup, restore
from chatlytics.store.database import Database
from chatlytics.store.dialect import dialect_of, refresh_statistics
from chatlytics.store.schema import metadata


def test_statistics_are_refreshed_for_every_table(db: Database) -> None:
    tables = sorted(metadata.tables)
    with db.write() as conn:
        refresh_statistics(conn, tables)
    with db.read() as conn:
        if dialect_of(conn) == "postgresql":
            query = sa.text(
                "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL"
            )
            analyzed = set(conn.execute(query).scalars())
            assert set(tables) <= analyzed


def test_a_restore_leaves_fresh_statistics(db: Database, tmp_path: Path) -> None:
    """A restore is a bulk load: without statistics PostgreSQL plans its first queries blind."""
    file = tmp_path / "backup.jsonl.gz"
    backup(db, file, fmt="jsonl")
    with db.read() as conn:
        postgresql = dialect_of(conn) == "postgresql"
        started = conn.execute(sa.text("SELECT now()")).scalar_one() if postgresql else None
    restore(db, file, force=True)
    if postgresql:
        query = sa.text("SELECT relname FROM pg_stat_user_tables WHERE last_analyze >= :started")
        with db.read() as conn:
            analyzed = set(conn.execute(query, {"started": started}).scalars())
        assert set(metadata.tables) <= analyzed
