"""The SQL of backups and restores: read every table at one moment, write them back in one go."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from chatlytics.store.database import Database
from chatlytics.store.dialect import dialect_of
from chatlytics.store.schema import metadata

TABLES: tuple[sa.Table, ...] = tuple(metadata.sorted_tables)


@contextmanager
def snapshot(db: Database) -> Iterator[Connection]:
    """A read transaction that sees every table as of one moment, while writers carry on.

    SQLite's WAL read transaction already does; the servers need REPEATABLE READ, since under their
    READ COMMITTED each statement would see a later moment than the one before.
    """
    with db.reader.connect() as conn:
        if db.dialect != "sqlite":
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def revision_of(conn: Connection) -> str | None:
    """The schema revision (Alembic's) of the database `conn` is on."""
    return MigrationContext.configure(conn).get_current_revision()


def row_counts(conn: Connection) -> dict[str, int]:
    count = sa.func.count()
    return {
        str(t.name): int(conn.execute(sa.select(count).select_from(t)).scalar_one()) for t in TABLES
    }


def read_rows(conn: Connection, table: sa.Table, batch: int) -> Iterator[Sequence[Sequence[Any]]]:
    """The table's rows in primary-key order, `batch` at a time, streamed from the database."""
    query = sa.select(table).order_by(*table.primary_key.columns)
    result = conn.execute(query.execution_options(yield_per=batch))
    for part in result.partitions():
        yield [tuple(row) for row in part]


def is_empty(conn: Connection) -> bool:
    return not any(
        conn.execute(sa.select(sa.literal(1)).select_from(t).limit(1)).first() for t in TABLES
    )


def clear(conn: Connection) -> None:
    for table in reversed(TABLES):
        conn.execute(sa.delete(table))


def insert_rows(conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        conn.execute(sa.insert(table), list(rows))


def reset_sequences(conn: Connection) -> None:
    """After ids were inserted explicitly, PostgreSQL's sequences must move past them (SQLite and
    MariaDB move on their own)."""
    if dialect_of(conn) != "postgresql":
        return
    for table in TABLES:
        key = list(table.primary_key.columns)
        if len(key) != 1 or not isinstance(key[0].type, sa.Integer):
            continue
        sequence = sa.func.pg_get_serial_sequence(table.name, key[0].name)
        following = sa.func.coalesce(sa.func.max(key[0]), 0) + 1
        conn.execute(sa.select(sa.func.setval(sequence, following, sa.false())).select_from(table))


def sqlite_copy(db: Database, target: Path, progress: Callable[[int, int], None]) -> None:
    """Copy a live SQLite database with SQLite's online backup API, in one step.

    One step holds one read transaction for the whole copy: in WAL mode writers carry on, and the
    copy is of one moment. (Copying in several steps would restart whenever someone writes.)
    """
    raw = db.reader.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        with closing(sqlite3.connect(target)) as dest:
            source.backup(
                dest, pages=-1, progress=lambda _, left, total: progress(total - left, total)
            )
            # The copy stands alone: no -wal file beside it, and it opens read-only.
            dest.execute("PRAGMA journal_mode=DELETE")
    finally:
        raw.close()
