"""The consumer thread: takes events off the queue, batches them and hands batches to the sender.

A batch leaves when it holds `flush_at` events, when its body would pass `max_batch_bytes`, or
`flush_interval` seconds after its first event, whichever comes first. A `Flush` marker put on the
queue sends what came before it and then wakes whoever waits on it.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chatlytics.sdk._batch import MAX_EVENT_BYTES, Batch, encode
from chatlytics.sdk._counters import Counters
from chatlytics.sdk._delivery import Sender

Event = dict[str, Any]
BeforeSend = Callable[[Event], Event | None]


class Flush:
    """A marker: set once every event queued before it is delivered or given up."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = threading.Event()


class Stop:
    """The marker that ends the consumer, put on the queue by `shutdown()`."""

    __slots__ = ()


STOP = Stop()
Item = Event | Flush | Stop


@dataclass(frozen=True, slots=True)
class BatchLimits:
    flush_at: int
    flush_interval: float
    max_batch_bytes: int


class Consumer(threading.Thread):
    """One daemon thread per client (per process, after a fork)."""

    def __init__(
        self,
        events: queue.Queue[Item],
        sender: Sender,
        limits: BatchLimits,
        counters: Counters,
        before_send: BeforeSend | None,
        stop: threading.Event,
    ) -> None:
        super().__init__(name="chatlytics-consumer", daemon=True)
        self.events = events
        self.sender = sender
        self.limits = limits
        self.counters = counters
        self.before_send = before_send
        self.stop = stop

    def run(self) -> None:
        batch, due = Batch(), None
        while not self.stop.is_set():
            wait = None if due is None else max(0.0, due - time.monotonic())
            item: Item | None
            try:
                item = self.events.get(timeout=wait)
            except queue.Empty:
                item = None
            if isinstance(item, Stop):
                break
            if isinstance(item, Flush) or item is None:
                self.sender.deliver(batch)
                batch, due = Batch(), None
                if isinstance(item, Flush):
                    item.done.set()
                continue
            encoded = self._prepare(item)
            if encoded is None:
                continue
            if not batch.fits(encoded, self.limits.max_batch_bytes):
                self.sender.deliver(batch)
                batch, due = Batch(), None
            batch.add(encoded)
            if due is None:
                due = time.monotonic() + self.limits.flush_interval
            if self._full(batch) or time.monotonic() >= due:
                self.sender.deliver(batch)
                batch, due = Batch(), None
        # Stopping: one last attempt (the stop flag rules out retries), then account for the rest.
        self.sender.deliver(batch)
        self._abandon_queue()

    def _full(self, batch: Batch) -> bool:
        return len(batch) >= self.limits.flush_at or batch.size >= self.limits.max_batch_bytes

    def _prepare(self, event: Event) -> bytes | None:
        """The event as it goes on the wire: through before_send, encoded; None if it goes nowhere."""
        if self.before_send is not None:
            try:
                kept = self.before_send(event)
            except Exception:
                # A redaction hook that fails must not let the unredacted event through.
                self.counters.add(failed=1)
                self.counters.warn_once(
                    "before_send", "chatlytics: before_send raised, event dropped"
                )
                return None
            if kept is None:
                self.counters.add(filtered=1)
                return None
            event = kept
        try:
            encoded = encode(event)
        except (TypeError, ValueError) as exc:
            self.counters.add(failed=1)
            self.counters.warn_once(
                "encode", "chatlytics: event not JSON-encodable, dropped: %s", exc
            )
            return None
        if len(encoded) > MAX_EVENT_BYTES:
            self.counters.add(failed=1)
            self.counters.warn_once(
                "too-large",
                "chatlytics: event over %d bytes dropped (the server refuses it)",
                MAX_EVENT_BYTES,
            )
            return None
        return encoded

    def _abandon_queue(self) -> None:
        while True:
            try:
                item = self.events.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, Flush):
                item.done.set()
            elif not isinstance(item, Stop):
                self.counters.add(failed=1)
