"""The clock the consumer thread retries by: the seam tests replace to live through an outage at once."""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    """Reads elapsed time and waits; a test clock can move its time on instead of sleeping."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (only differences matter)."""
        ...

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        """Wait `seconds`, or less if `stop` is set meanwhile; True when `stop` is set."""
        ...


class SystemClock:
    """`time.monotonic` and `Event.wait`: a shutdown cuts a wait short."""

    def monotonic(self) -> float:
        return time.monotonic()

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        return stop.wait(seconds)
