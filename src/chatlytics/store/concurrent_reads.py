"""Independent reads of one answer run at the same time, each on its own pooled read connection.

A database runs one statement on one core: the three heavy reads of the performance page took the sum
of their times on MariaDB, one after the other, where two cores could share them. Each read gets its
own connection and so its own snapshot; the figures of one answer were already read by separate
statements at READ COMMITTED, so none of them promised a common snapshot. An in-memory SQLite
database has a single connection, and its reads run one after the other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar, overload

from sqlalchemy.engine import Connection

from chatlytics.store.database import Database

A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
T = TypeVar("T")

# Reads handed off by any request, shared by all: each is one statement or a few, so a small pool
# keeps both cores busy without holding many connections of the readers' pool.
WORKERS = 8
_pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="chatlytics-read")


def _on_own_connection(db: Database, read: Callable[[Connection], T]) -> T:
    with db.read() as conn:
        return read(conn)


def each(
    db: Database, reads: Sequence[Callable[[Connection], T]], *, at_once: bool = True
) -> list[T]:
    """The result of every read, in order; all but the first handed to the pool, the first run
    here, so one request never waits for a worker to start its first statement. With `at_once`
    false, or on a database that has one connection, one after the other on one connection."""
    if not reads:
        return []
    if not (at_once and db.concurrent_reads):
        with db.read() as conn:
            return [read(conn) for read in reads]
    later: list[Future[T]] = [_pool.submit(_on_own_connection, db, read) for read in reads[1:]]
    try:
        first = _on_own_connection(db, reads[0])
    finally:
        # A failed first read still waits for the others, which hold pooled connections.
        wait(later)
    return [first, *(future.result() for future in later)]


@overload
def together(
    db: Database, a: Callable[[Connection], A], b: Callable[[Connection], B], /
) -> tuple[A, B]: ...
@overload
def together(
    db: Database,
    a: Callable[[Connection], A],
    b: Callable[[Connection], B],
    c: Callable[[Connection], C],
    /,
) -> tuple[A, B, C]: ...
def together(db: Database, *reads: Callable[[Connection], Any]) -> tuple[Any, ...]:
    """`each` for reads of different result types, typed per position."""
    return tuple(each(db, reads))
