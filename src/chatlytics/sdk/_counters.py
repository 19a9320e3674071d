"""What became of the events: counted, so that losses are visible instead of silent."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace

log = logging.getLogger("chatlytics.sdk")


@dataclass(frozen=True, slots=True)
class Counts:
    """Events by fate, since the client started (or since the fork, in a child process).

    Every event `track()` accepted ends in exactly one of sent, failed or filtered;
    `dropped` events were refused by `track()` itself, and `retried` counts each resend of an event.
    """

    sent: int = 0
    dropped: int = 0
    failed: int = 0
    filtered: int = 0
    retried: int = 0


class Counters:
    """Thread-safe counts, and warnings logged once per cause so that an outage cannot flood the log."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts = Counts()
        self._warned: set[str] = set()

    def add(self, **increments: int) -> None:
        with self._lock:
            values = {name: getattr(self._counts, name) + n for name, n in increments.items()}
            self._counts = replace(self._counts, **values)

    def snapshot(self) -> Counts:
        return self._counts

    def warn_once(self, cause: str, message: str, *args: object) -> None:
        """Log `message` as a warning the first time `cause` happens, at debug level afterwards."""
        first = cause not in self._warned
        self._warned.add(cause)
        log.log(logging.WARNING if first else logging.DEBUG, message, *args)
