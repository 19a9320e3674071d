"""Independent reads of one answer run at the same time on their own connections, come back in
order, and a failure in one neither hides nor abandons the others."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from chatlytics.store.concurrent_reads import each, together
from chatlytics.store.database import Database
from tests import backends

WAIT_S = 10.0


def _meeting(
    barrier: threading.Barrier, seen: list[int], value: int
) -> Callable[[Connection], int]:
    """A read that waits until every read of the barrier is running: only reads that run at
    the same time get past it; one after the other, the first would time out."""

    def read(conn: Connection) -> int:
        seen.append(id(conn.connection.dbapi_connection))
        barrier.wait(WAIT_S)
        return int(conn.execute(sa.select(sa.literal(value))).scalar_one())

    return read


def test_reads_run_at_the_same_time_on_their_own_connections(db: Database) -> None:
    assert db.concurrent_reads
    barrier = threading.Barrier(3)
    seen: list[int] = []
    results = each(db, [_meeting(barrier, seen, n) for n in (7, 8, 9)])
    assert results == [7, 8, 9]
    assert len(set(seen)) == 3


def test_reads_asked_not_at_once_share_one_connection_in_order(db: Database) -> None:
    seen: list[int] = []
    order: list[int] = []

    def read(value: int) -> Callable[[Connection], int]:
        def run(conn: Connection) -> int:
            seen.append(id(conn.connection.dbapi_connection))
            order.append(value)
            return int(conn.execute(sa.select(sa.literal(value))).scalar_one())

        return run

    assert each(db, [read(n) for n in (4, 5, 6)], at_once=False) == [4, 5, 6]
    assert order == [4, 5, 6]
    assert len(set(seen)) == 1


def test_results_keep_their_types_and_order(db: Database) -> None:
    def text(conn: Connection) -> str:
        return str(conn.execute(sa.select(sa.literal("a"))).scalar_one())

    def number(conn: Connection) -> int:
        return int(conn.execute(sa.select(sa.literal(2))).scalar_one())

    assert together(db, text, number) == ("a", 2)
    assert together(db, number, text, number) == (2, "a", 2)
    assert each(db, []) == []


def test_a_failed_read_is_raised_after_the_others_have_finished(db: Database) -> None:
    finished: list[str] = []
    started = threading.Event()

    def fails(conn: Connection) -> int:
        started.wait(WAIT_S)  # the other read is running when this one fails
        raise LookupError("the first read failed")

    def slow(conn: Connection) -> int:
        started.set()
        value = int(conn.execute(sa.select(sa.literal(1))).scalar_one())
        threading.Event().wait(0.2)
        finished.append("slow")
        return value

    with pytest.raises(LookupError, match="the first read failed"):
        each(db, [fails, slow])
    assert finished == ["slow"]


def test_an_in_memory_database_reads_one_after_the_other() -> None:
    memory = backends.migrated(sa.make_url("sqlite+pysqlite:///:memory:"))
    try:
        assert not memory.concurrent_reads
        seen: list[int] = []

        def read(conn: Connection) -> int:
            seen.append(id(conn.connection.dbapi_connection))
            return len(seen)

        assert each(memory, [read, read, read]) == [1, 2, 3]
        assert len(set(seen)) == 1
    finally:
        memory.dispose()
