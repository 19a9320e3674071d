"""Engines for one database: a writer engine and a reader engine, tuned per dialect.

On SQLite all writes go through one connection that opens its transactions with BEGIN IMMEDIATE (so a
writer never has to upgrade a read lock), while readers run concurrently in WAL mode.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.pool import StaticPool

SQLITE_BUSY_MS = 30_000
# MariaDB groups in an in-memory table only up to this size, then on disk. Its MEMORY tables store a
# VARCHAR(255) id at full width (1 KB in utf8mb4), so the default 16 MB held some 15,000 visitors:
# a month's funnel went to disk and took three times as long. Memory is taken only as a query needs.
MYSQL_TMP_TABLE_BYTES = 256 * 1024 * 1024


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _null(value: None) -> None:
    return None


def _sqlite_engine(url: URL, *, immediate: bool) -> Engine:
    # sqlite3 binds None only after looking for an adapter, through two attribute look-ups that
    # each fail by formatting an AttributeError; a row of the projections holds a dozen NULLs.
    # Registered, the adapter is found in one dict look-up and hands back the same None.
    sqlite3.register_adapter(type(None), _null)
    memory = url.database in (None, "", ":memory:")
    engine = sa.create_engine(
        url,
        json_serializer=_json,
        json_deserializer=orjson.loads,
        **({"poolclass": StaticPool} if memory else {}),
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the driver so that BEGIN is ours to issue.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _server_engine(url: URL, *, pool_size: int) -> Engine:
    options: dict[str, Any] = {}
    mysql = url.get_backend_name() in ("mysql", "mariadb")
    if mysql:
        options["isolation_level"] = "READ COMMITTED"
    if url.get_backend_name() == "postgresql":
        # psycopg prepares a statement after 5 runs and PostgreSQL then keeps a generic plan made
        # while the tables were small (a sequential scan for the dedup look-up), which no one replans
        # where autovacuum does not run ANALYZE: ingest fell from 5,000 to 500 events/s.
        options["connect_args"] = {"prepare_threshold": None}
    engine = sa.create_engine(
        url,
        json_serializer=_json,
        json_deserializer=orjson.loads,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_recycle=3600,
        **options,
    )
    if url.get_backend_name() == "postgresql":

        @event.listens_for(engine, "connect")
        def _no_jit(dbapi_conn: Any, _record: Any) -> None:
            # JIT compiles any query its cost estimate calls large, which a month's analytics are:
            # 20 to 80 ms spent compiling queries that run in 100 to 300 ms. Set outside a
            # transaction, so that no rollback undoes it; PGOPTIONS and options= stay the user's.
            autocommit = dbapi_conn.autocommit
            dbapi_conn.autocommit = True
            dbapi_conn.execute("SET jit = off")
            dbapi_conn.autocommit = autocommit

    if mysql:

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            size = MYSQL_TMP_TABLE_BYTES
            cursor.execute(f"SET SESSION tmp_table_size = {size}, max_heap_table_size = {size}")
            cursor.close()

    return engine


@dataclass(frozen=True)
class Database:
    """The engines of one database; build with `Database.connect(url)`, close with `dispose()`."""

    url: URL
    writer: Engine
    reader: Engine

    @classmethod
    def connect(cls, url: URL | str) -> Database:
        url = sa.make_url(url)
        if url.get_backend_name() == "sqlite":
            if url.database in (None, "", ":memory:"):
                memory = _sqlite_engine(url, immediate=True)  # one connection: one database
                return cls(url, memory, memory)
            return cls(
                url, _sqlite_engine(url, immediate=True), _sqlite_engine(url, immediate=False)
            )
        engine = _server_engine(url, pool_size=8)
        return cls(url, engine, engine)

    @property
    def dialect(self) -> str:
        """`sqlite`, `postgresql` or `mysql` (MariaDB included)."""
        name = self.url.get_backend_name()
        return "mysql" if name == "mariadb" else name

    @property
    def concurrent_reads(self) -> bool:
        """Whether two reads may run at once: not on an in-memory SQLite database, which is one
        connection shared by all."""
        return not isinstance(self.reader.pool, StaticPool)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: committed when the block ends, rolled back on error."""
        with self.writer.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only connection for analytics queries."""
        with self.reader.connect() as conn:
            yield conn

    def dispose(self) -> None:
        self.writer.dispose()
        self.reader.dispose()
