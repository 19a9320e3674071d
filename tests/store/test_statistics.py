"""refresh_statistics: the planner's statistics after a bulk load, on every backend."""

from __future__ import annotations

import sqlalchemy as sa

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
