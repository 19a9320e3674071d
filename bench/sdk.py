"""The SDK's cost on the caller's thread: how long one `track()` call holds up a chat handler.

The transport discards, so only the SDK is measured. Two cases: the consumer thread parked (the
caller's own cost), and the consumer busy encoding and "sending" what the loop produces, as in a
saturated server; there the tail is the consumer's turn with the GIL. Goal: median at most 10 us
(printed against the measured figure; only lost events fail the bench, since the time depends on the CPU).
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Mapping

from chatlytics.sdk import Client

GOAL_US = 10.0
CALLS = 100_000
WARMUP = 5_000
_ANSWER = b'{"accepted":0,"duplicates":0,"rejected":[]}'
PROPERTIES = {"content": "Do you ship to Canada?", "message_id": "m-1"}


class _Answer:
    status_code = 200
    headers: Mapping[str, str] = {}
    content = _ANSWER


class DiscardTransport:
    """Answers every request with 200 without looking at it; while `parked` is clear, it waits."""

    def __init__(self) -> None:
        self.parked = threading.Event()
        self.parked.set()

    def send(self, payload: bytes, headers: Mapping[str, str]) -> _Answer:
        self.parked.wait()
        return _Answer()


def _timings_us(call: Callable[[], object], calls: int) -> list[float]:
    for _ in range(WARMUP):
        call()
    clock = time.perf_counter_ns
    timings = []
    for _ in range(calls):
        started = clock()
        call()
        timings.append((clock() - started) / 1000)
    timings.sort()
    return timings


def _summary(name: str, timings: list[float]) -> dict[str, float]:
    return {
        f"{name}_median_us": statistics.median(timings),
        f"{name}_p99_us": timings[int(len(timings) * 0.99)],
    }


def _client(transport: DiscardTransport, calls: int, flush_at: int) -> Client:
    room = 4 * (calls + WARMUP)
    return Client(
        "http://127.0.0.1:9",
        "bench",
        enabled=True,
        transport=transport,
        max_queue=room,
        flush_at=flush_at,
    )


def _track(client: Client) -> Callable[[], object]:
    def track() -> object:
        return client.track(
            "user_message",
            user_id="u-1",
            session_id="s-1",
            conversation_id="c-1",
            properties=PROPERTIES,
        )

    return track


def run(calls: int = CALLS) -> dict[str, float]:
    """Median and p99 in microseconds of `track` (consumer parked, then busy), a typed helper, and a
    disabled client; `lost` counts events not delivered in the busy case (should be 0)."""
    results: dict[str, float] = {"goal_median_us": GOAL_US}

    parked = DiscardTransport()
    parked.parked.clear()
    alone = _client(parked, calls, flush_at=1)
    alone.track("bench.park", user_id="u-1", session_id="s-1")
    time.sleep(0.05)  # the consumer takes it and waits in send()
    results |= _summary("track_alone", _timings_us(_track(alone), calls))
    parked.parked.set()
    alone.shutdown(timeout=60)

    busy = _client(DiscardTransport(), calls, flush_at=500)
    results |= _summary("track", _timings_us(_track(busy), calls))

    def helper() -> object:
        return busy.bot_response("u-1", "s-1", "c-1", "Yes, in 5 to 7 days.", latency_ms=812.0)

    results |= _summary("bot_response", _timings_us(helper, calls))
    busy.flush(timeout=120)
    counts = busy.counts()
    busy.shutdown()
    results["lost"] = float(2 * (calls + WARMUP) - counts.sent)

    off = Client("http://127.0.0.1:9", "bench", enabled=False)
    disabled = _timings_us(
        lambda: off.track("user_message", user_id="u-1", session_id="s-1"), calls
    )
    results |= _summary("disabled_track", disabled)
    return results


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name:>24}: {value:.3f}")
