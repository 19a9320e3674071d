"""Periodic `performance` events: process CPU and memory, open chat sessions, recent bot latency.

Standard library only (no psutil): CPU is process time over wall time since the last sample, so it
can pass 100 on several cores; memory is the resident set from /proc, or the peak from getrusage
where there is no /proc.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from chatlytics.sdk._counters import log
from chatlytics.sdk._gauges import Gauges


def resident_mb() -> float | None:
    """Resident memory of this process in MiB (its peak where /proc is missing); None if unknown."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1_048_576
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1_048_576 if sys.platform == "darwin" else peak / 1024


class PerformanceSampler:
    """Calls `emit(**reading)` every `interval` seconds from a daemon thread, until stopped."""

    def __init__(
        self,
        emit: Callable[..., Any],
        gauges: Gauges,
        *,
        interval: float,
        wall: Callable[[], float] = time.monotonic,
        cpu: Callable[[], float] = time.process_time,
        memory: Callable[[], float | None] = resident_mb,
    ) -> None:
        self.emit = emit
        self.gauges = gauges
        self.interval = interval
        self._wall, self._cpu, self._memory = wall, cpu, memory
        self._last = (wall(), cpu())
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sample(self) -> dict[str, float | int]:
        """One reading, over the time since the previous one; absent figures are left out."""
        wall, cpu = self._wall(), self._cpu()
        (last_wall, last_cpu), self._last = self._last, (wall, cpu)
        reading: dict[str, float | int] = {"active_connections": self.gauges.open_sessions}
        if wall > last_wall:
            reading["cpu_percent"] = round(max(0.0, cpu - last_cpu) / (wall - last_wall) * 100, 2)
        memory = self._memory()
        if memory is not None:
            reading["memory_mb"] = round(memory, 2)
        latencies = self.gauges.take_latencies()
        if latencies:
            reading["response_time_ms"] = statistics.median(latencies)
        return reading

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="chatlytics-sampler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.emit(**self.sample())
            except Exception:  # a sampler must never take the process down with it
                log.exception("chatlytics: performance sample failed")
