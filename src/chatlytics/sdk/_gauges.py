"""Live figures of the chat server that the performance sampler reports: open sessions, bot latency."""

from __future__ import annotations

import threading
from collections import deque

MAX_LATENCIES = 10_000


class Gauges:
    """Fed by the integration and by `bot_response()`; read and reset by the sampler."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open = 0
        # deque.append and popleft are atomic, so recording a latency needs no lock.
        self._latencies: deque[float] = deque(maxlen=MAX_LATENCIES)

    @property
    def open_sessions(self) -> int:
        return self._open

    def session_opened(self) -> None:
        with self._lock:
            self._open += 1

    def session_closed(self) -> None:
        with self._lock:
            self._open = max(0, self._open - 1)

    def record_latency(self, ms: float) -> None:
        self._latencies.append(ms)

    def take_latencies(self) -> list[float]:
        """The latencies recorded since the last call (the newest MAX_LATENCIES of them)."""
        taken = []
        while True:
            try:
                taken.append(self._latencies.popleft())
            except IndexError:
                return taken
