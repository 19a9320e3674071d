"""The client: `track()` puts an event on a bounded queue and returns; a consumer thread sends it.

The caller's thread only builds a dict and enqueues it. Encoding, `before_send`, batching, gzip and
retries happen on the consumer thread, which starts on first use, in each process: after a fork the
child gets an empty queue and its own thread, and leaves the parent's events to the parent.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import queue
import socket
import threading
import time
import weakref
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from chatlytics import __version__
from chatlytics.sdk._batch import ENVELOPE_BYTES, MAX_BODY_BYTES, MAX_EVENT_BYTES, MAX_EVENTS
from chatlytics.sdk._clock import Clock, SystemClock
from chatlytics.sdk._consumer import STOP, BatchLimits, BeforeSend, Consumer, Flush, Item
from chatlytics.sdk._counters import Counters, Counts
from chatlytics.sdk._delivery import RetryPolicy, Sender
from chatlytics.sdk._events import EventMethods
from chatlytics.sdk._gauges import Gauges
from chatlytics.sdk._sampler import PerformanceSampler
from chatlytics.sdk._timefmt import datetime_ms, format_ms
from chatlytics.sdk._transport import HttpTransport, Transport
from chatlytics.sdk._uuid7 import uuid7

STOP_GRACE_S = 0.1
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
_clients: weakref.WeakSet[Client] = weakref.WeakSet()


def enabled_from_env() -> bool:
    """ANALYTICS_ENABLED as the server reads it: off for 0/false/no/off, on when unset."""
    return os.environ.get("ANALYTICS_ENABLED", "").strip().lower() not in FALSE_WORDS


class Client(EventMethods):
    """Sends chat-server events to a chatlytics server, without ever blocking the caller.

    `endpoint` is the server's base URL (`https://analytics.example.com`). Disabled (explicitly, or
    by ANALYTICS_ENABLED=false) it is a no-op: nothing is queued, no thread starts, nothing is sent.
    With `performance_interval` set, a `performance` event is sent every that many seconds, as user
    `server:<server_name>` in a session per process (which the server counts like a visitor's).
    A batch the server cannot take yet is resent for up to `max_retry_seconds`; `clock` is the seam
    a test replaces to live through such an outage without waiting for it.
    """

    def __init__(
        self,
        endpoint: str,
        write_key: str,
        *,
        enabled: bool | None = None,
        flush_at: int = 100,
        flush_interval: float = 1.0,
        max_batch_bytes: int = 400_000,
        max_queue: int = 10_000,
        max_retry_seconds: float = 300.0,
        max_retries: int | None = None,
        timeout: float = 10.0,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        before_send: BeforeSend | None = None,
        transport: Transport | None = None,
        performance_interval: float | None = None,
        server_name: str | None = None,
        shutdown_timeout: float = 2.0,
        clock: Clock | None = None,
    ) -> None:
        self.enabled = enabled_from_env() if enabled is None else enabled
        if self.enabled and not write_key:
            raise ValueError("write_key is required (or disable the client)")
        if not 1 <= flush_at <= MAX_EVENTS:
            raise ValueError(f"flush_at must be 1..{MAX_EVENTS}, the server's limit per request")
        if not MAX_EVENT_BYTES + ENVELOPE_BYTES <= max_batch_bytes <= MAX_BODY_BYTES:
            raise ValueError(
                f"max_batch_bytes must be {MAX_EVENT_BYTES + ENVELOPE_BYTES}..{MAX_BODY_BYTES}"
            )
        if not max_retry_seconds >= 0 or (max_retries is not None and max_retries < 0):
            raise ValueError("max_retry_seconds and max_retries must not be negative")
        url = endpoint.rstrip("/")
        self.url = url if url.endswith("/v1/events") else f"{url}/v1/events"
        self.transport = transport or HttpTransport(self.url, timeout=timeout)
        self.headers = {
            "Authorization": f"Bearer {write_key}",
            "Content-Type": "application/json",
            "User-Agent": f"chatlytics-python/{__version__}",
        }
        self.limits = BatchLimits(flush_at, flush_interval, max_batch_bytes)
        self.policy = RetryPolicy(
            max_seconds=max_retry_seconds,
            max_retries=max_retries,
            base=backoff_base,
            cap=backoff_max,
        )
        self.clock = clock or SystemClock()
        self.before_send = before_send
        self.max_queue = max_queue
        self.performance_interval = performance_interval
        self.server_name = (server_name or socket.gethostname())[:120]
        self.shutdown_timeout = shutdown_timeout
        self._closed = False
        self._fresh_process_state()
        _clients.add(self)
        if self.enabled:
            atexit.register(self._at_exit)

    def _fresh_process_state(self) -> None:
        """Queue, thread and counts of this process; a forked child starts over with new ones."""
        self._queue: queue.Queue[Item] = queue.Queue(self.max_queue)
        self._start_lock = threading.Lock()
        self._stop = threading.Event()
        self._consumer: Consumer | None = None
        self._sampler: PerformanceSampler | None = None
        self.counters = Counters()
        self.gauges = Gauges()

    # The hot path: build the event, put it on the queue, return.

    def track(
        self,
        type: str,
        *,
        user_id: str,
        session_id: str,
        conversation_id: str | None = None,
        page_url: str | None = None,
        properties: Mapping[str, Any] | None = None,
        timestamp: datetime | None = None,
    ) -> str | None:
        """Queue one event of any type; its id, or None if it was not queued (and was counted)."""
        props = dict(properties) if properties else {}
        return self._emit(type, user_id, session_id, conversation_id, page_url, props, timestamp)

    def _emit(
        self,
        type_: str,
        user_id: str,
        session_id: str,
        conversation_id: str | None,
        page_url: str | None,
        properties: dict[str, Any],
        timestamp: datetime | None,
    ) -> str | None:
        if not self.enabled:
            return None
        # The id carries the time it was made, so ids of one process keep increasing even when
        # events are backdated; without a timestamp both come from one clock reading.
        now = time.time_ns() // 1_000_000
        event_id = uuid7(now)
        event = {
            "event_id": event_id,
            "type": type_,
            "timestamp": format_ms(now if timestamp is None else datetime_ms(timestamp)),
            "source": "backend",
            "user_id": user_id,
            "session_id": session_id,
            "properties": properties,
        }
        if conversation_id is not None:
            event["conversation_id"] = conversation_id
        if page_url is not None:
            event["page_url"] = page_url
        if (self._consumer is None or self._closed) and not self._start():
            return None
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            self._drop(
                "queue-full", "chatlytics: queue full (%d events), events dropped", self.max_queue
            )
            return None
        return event_id

    def _drop(self, cause: str, message: str, *args: object) -> None:
        self.counters.add(dropped=1)
        self.counters.warn_once(cause, message, *args)

    def _start(self) -> bool:
        """Start this process's threads; False once the client is shut down."""
        with self._start_lock:
            if self._closed:
                self._drop("closed", "chatlytics: client is shut down, events dropped")
                return False
            if self._consumer is None:
                sender = Sender(
                    self.transport, self.headers, self.counters, self.policy, self._stop, self.clock
                )
                consumer = Consumer(
                    self._queue, sender, self.limits, self.counters, self.before_send, self._stop
                )
                consumer.start()
                self._consumer = consumer
                self._start_sampler()
        return True

    def _start_sampler(self) -> None:
        if self.performance_interval is None:
            return
        user_id = f"server:{self.server_name}"
        # One session per process lifetime: a restarted or forked worker is a new session.
        session_id = f"{user_id}:{os.getpid()}:{uuid7()}"

        def emit(**reading: Any) -> None:
            self.performance(user_id, session_id, **reading)

        self._sampler = PerformanceSampler(emit, self.gauges, interval=self.performance_interval)
        self._sampler.start()

    # Waiting for delivery, and stopping.

    def flush(self, timeout: float | None = 5.0) -> bool:
        """Block until every event queued so far is delivered or given up; False on timeout."""
        consumer = self._consumer
        if not self.enabled or consumer is None:
            return True
        if self._closed:  # shut down: nothing is waiting any more, once the consumer has stopped
            return not consumer.is_alive()
        if threading.current_thread() is consumer:
            return False  # called from before_send: waiting on ourselves would never end
        marker = Flush()
        started = time.monotonic()
        try:
            self._queue.put(marker, timeout=timeout)
        except queue.Full:
            return False
        left = None if timeout is None else max(0.0, timeout - (time.monotonic() - started))
        return marker.done.wait(left)

    def shutdown(self, timeout: float | None = 5.0) -> bool:
        """Deliver what is queued (for about `timeout` seconds), then stop; later events are dropped.

        True when everything was settled in time. Safe to call twice; called at exit.
        """
        if self._closed:
            return True
        atexit.unregister(self._at_exit)
        started = time.monotonic()
        if self._sampler is not None:
            self._sampler.stop(timeout)
        flushed = self.flush(timeout)
        with self._start_lock:
            self._closed = True
        self._stop.set()
        consumer = self._consumer
        if consumer is not None:
            # When the queue is full the consumer is busy, and sees the stop flag before its next event.
            with contextlib.suppress(queue.Full):
                self._queue.put_nowait(STOP)
            left = None if timeout is None else timeout - (time.monotonic() - started)
            # An interrupted wait ends at once: a moment past the deadline lets its events be counted.
            consumer.join(None if left is None else max(left, STOP_GRACE_S))
        close = getattr(self.transport, "close", None)
        if close is not None and (consumer is None or not consumer.is_alive()):
            close()
        return flushed and (consumer is None or not consumer.is_alive())

    def _at_exit(self) -> None:
        self.shutdown(self.shutdown_timeout)

    def _after_fork_in_child(self) -> None:
        self._fresh_process_state()

    # What became of the events.

    def counts(self) -> Counts:
        """A snapshot of the counters: sent, dropped, failed, filtered, retried."""
        return self.counters.snapshot()

    @property
    def sent(self) -> int:
        return self.counters.snapshot().sent

    @property
    def dropped(self) -> int:
        return self.counters.snapshot().dropped

    @property
    def failed(self) -> int:
        return self.counters.snapshot().failed

    @property
    def retried(self) -> int:
        return self.counters.snapshot().retried

    @property
    def filtered(self) -> int:
        return self.counters.snapshot().filtered


def _after_fork_in_child() -> None:
    for client in list(_clients):
        client._after_fork_in_child()


os.register_at_fork(after_in_child=_after_fork_in_child)
