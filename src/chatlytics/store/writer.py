"""The group-commit writer: requests hand their events over and wait for the commit that holds them.

One writer task per process takes what has queued, up to BATCH_PROCESSING_SIZE events, waiting at most
BATCH_FLUSH_MS after the first for requests still on their way, writes it in one transaction on a worker
thread, then answers every waiting request.
A request is acknowledged only after that commit. If the database is out of reach, every request in it
sees the error; if the database refuses a value, the batch is stored again request by request and the
refused events are kept in failed_events with the database's reason, so the others are not failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from chatlytics.events import Rejection, ValidEvent
from chatlytics.ops import metrics
from chatlytics.store.anonymous import Key
from chatlytics.store.batch import Projection, Stored, Written, refused_row, store_batch
from chatlytics.store.database import Database
from chatlytics.store.isolate import refusal_reason, store_refusing
from chatlytics.store.schema import failed_events
from chatlytics.store.timing import utcnow

log = logging.getLogger(__name__)
RACE_RETRIES = 3
T = TypeVar("T")


class StorageUnavailable(Exception):
    """The database could not take the batch; nothing in it was acknowledged."""


class WriterOverloaded(Exception):
    """The writer's queue is full; the sender should retry later."""


@dataclass
class Submission:
    valid: Sequence[ValidEvent]
    rejected: Sequence[Rejection]
    received_at: datetime
    done: asyncio.Future[Written] = field(repr=False)
    anonymous: Mapping[Key, int] = field(default_factory=dict)
    queued_at: float = field(default_factory=time.monotonic)

    @property
    def size(self) -> int:
        return len(self.valid) + len(self.rejected) + (1 if self.anonymous else 0)

    def failed_rows(self) -> list[tuple[Rejection, datetime]]:
        at = self.received_at.replace(tzinfo=None)
        return [(r, at) for r in self.rejected]


class BatchWriter:
    """Group-commits submissions; `submit` says which of `valid` were stored for the first time.

    `projection` is run on the newly stored events inside each transaction (a seam for tests).
    """

    def __init__(
        self,
        db: Database,
        *,
        max_events: int,
        flush_ms: int,
        queue_events: int,
        timeout_s: int,
        projection: Projection | None = None,
    ) -> None:
        self._db = db
        self._projection = projection
        self._max_events = max_events
        self._flush_s = flush_ms / 1000
        self._queue_limit = queue_events
        self._timeout_s = timeout_s
        self._queue: asyncio.Queue[Submission] = asyncio.Queue()
        self._queued_events = 0
        self._receiving = 0
        self._commits = 0
        self._commit_event = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="chatlytics-writer")

    async def stop(self) -> None:
        """Finish what is queued, then stop."""
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def submit(
        self,
        valid: Sequence[ValidEvent],
        rejected: Sequence[Rejection],
        received_at: datetime,
        anonymous: Mapping[Key, int] | None = None,
    ) -> Written:
        """Queue events for the next commit; returns the positions of `valid` stored for the first
        time and of those the database refused. `anonymous` are counts of events received but not
        to be stored."""
        if self._task is None or self._task.done():
            raise StorageUnavailable("the writer is not running")
        if self._queued_events >= self._queue_limit:
            raise WriterOverloaded(f"{self._queued_events} events are waiting to be written")
        done: asyncio.Future[Written] = asyncio.get_running_loop().create_future()
        item = Submission(valid, rejected, received_at, done, anonymous or {})
        self._queued_events += item.size
        metrics.WRITER_QUEUE.set(self._queued_events)
        self._queue.put_nowait(item)
        return await asyncio.shield(done)

    @contextlib.contextmanager
    def receiving(self) -> Iterator[None]:
        """Mark a request as on its way (body being read or checked) for as long as the block runs."""
        self._receiving += 1
        try:
            yield
        finally:
            self._receiving -= 1

    async def _gather(self) -> list[Submission]:
        """Up to max_events; waits for more only while requests are on their way, and at most
        flush_ms after the first one queued (like PostgreSQL's commit_delay with commit_siblings)."""
        first = await self._queue.get()
        batch, size = [first], first.size
        deadline = first.queued_at + self._flush_s
        while size < self._max_events:
            if not self._queue.empty():
                item = self._queue.get_nowait()
            else:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._receiving == 0:
                    break  # nothing else is on its way: waiting would only add latency
                try:
                    item = await asyncio.wait_for(self._queue.get(), remaining)
                except TimeoutError:
                    break
            batch.append(item)
            size += item.size
        return batch

    @property
    def commits(self) -> int:
        """How many batches that stored something this process has committed so far."""
        return self._commits

    async def wait_for_commit(self, after: int, timeout: float) -> int:  # noqa: ASYNC109
        """Wait until `commits` exceeds `after` (or `timeout` seconds pass); returns `commits`.

        Live views use it to refresh as soon as new events are stored, without polling the database.
        """
        if self._commits <= after:
            waiter = self._commit_event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter.wait(), timeout)
        return self._commits

    def _signal_commit(self) -> None:
        self._commits += 1
        self._commit_event.set()
        self._commit_event = asyncio.Event()

    async def _run(self) -> None:
        while True:
            batch = await self._gather()
            try:
                results = await asyncio.to_thread(self._write, batch)
            except Exception as exc:  # every waiter must hear about it, whatever it was
                log.warning("batch of %d submissions not stored: %s", len(batch), exc)
                for item in batch:
                    if not item.done.done():
                        item.done.set_exception(StorageUnavailable(str(exc)))
            else:
                for item, written in zip(batch, results, strict=True):
                    if not item.done.done():
                        item.done.set_result(written)
                if any(written.accepted for written in results):
                    self._signal_commit()
            finally:
                for item in batch:
                    self._queued_events -= item.size
                    self._queue.task_done()
                metrics.WRITER_QUEUE.set(self._queued_events)

    def _write(self, batch: list[Submission]) -> list[Written]:
        started = time.perf_counter()
        try:
            results = self._transaction(lambda conn: self._store_together(conn, batch))
        except (DataError, IntegrityError) as exc:
            log.warning(
                "batch of %d submissions refused (%s): storing them one by one",
                len(batch),
                refusal_reason(exc),
            )
            results = self._transaction(lambda conn: self._store_apart(conn, batch))
        metrics.COMMIT_SECONDS.observe(time.perf_counter() - started)
        metrics.BATCH_EVENTS.observe(sum(len(item.valid) + len(item.rejected) for item in batch))
        return results

    def _transaction(self, work: Callable[[Connection], T]) -> T:
        """`work` in one committed transaction, tried again when it lost a race or a deadlock."""
        for attempt in range(RACE_RETRIES + 1):
            try:
                with self._db.write() as conn:
                    return work(conn)
            except (IntegrityError, DBAPIError) as exc:
                # Another process stored the same ids or rows first, or a deadlock: try again.
                retryable = isinstance(exc, IntegrityError) or _is_deadlock(exc)
                if not retryable or attempt == RACE_RETRIES:
                    raise
        raise AssertionError("unreachable")

    def _store_together(self, conn: Connection, batch: list[Submission]) -> list[Written]:
        anonymous: Counter[Key] = Counter()
        for item in batch:
            anonymous.update(item.anonymous)
        stored = store_batch(
            conn,
            [e for item in batch for e in item.valid],
            [row for item in batch for row in item.failed_rows()],
            now=utcnow(),
            timeout_s=self._timeout_s,
            anonymous=anonymous,
            projection=self._projection,
        )
        results, offset = [], 0
        for item in batch:
            n = len(item.valid)
            accepted = frozenset(p - offset for p in stored.accepted if offset <= p < offset + n)
            results.append(Written(accepted))
            offset += n
        return results

    def _store_apart(self, conn: Connection, batch: list[Submission]) -> list[Written]:
        """Each submission on its own, each refused event left out and kept with its reason."""
        now = utcnow()

        def store(c: Connection, events: Sequence[ValidEvent]) -> Stored:
            return store_batch(
                c, events, [], now=now, timeout_s=self._timeout_s, projection=self._projection
            )

        results = []
        for item in batch:
            store_batch(
                conn, [], item.failed_rows(), now=now, timeout_s=0, anonymous=item.anonymous
            )
            written = (
                store_refusing(conn, item.valid, store) if item.valid else Written(frozenset())
            )
            if written.refused:
                rows = [refused_row(item.valid[p], r) for p, r in written.refused.items()]
                conn.execute(sa.insert(failed_events), rows)
            results.append(written)
        return results


def _is_deadlock(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return "deadlock" in text or "could not serialize" in text or "lock wait timeout" in text
