"""Deliver one batch: send, read the answer, retry what may succeed later, give up on the rest."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from chatlytics.sdk._batch import Batch
from chatlytics.sdk._clock import Clock, SystemClock
from chatlytics.sdk._counters import Counters
from chatlytics.sdk._retry import backoff, is_retryable, retry_after
from chatlytics.sdk._timefmt import format_ms, now_ms
from chatlytics.sdk._transport import Response, Transport


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Resends while they start within `max_seconds` of the first attempt (and, when set, at most
    `max_retries` of them); waits from `base` seconds doubling, at most `cap` seconds.

    The limit is a time, not a count: a server that asks for 5 s at a time during a database outage
    must not exhaust the budget in half a minute.
    """

    max_seconds: float = 300.0
    max_retries: int | None = None
    base: float = 0.5
    cap: float = 30.0


@dataclass(frozen=True, slots=True)
class Retry:
    """The attempt should be repeated, after the server's Retry-After if it gave one."""

    asked: float | None = None


class Sender:
    """Sends batches through the transport; runs on the consumer thread only."""

    def __init__(
        self,
        transport: Transport,
        headers: Mapping[str, str],
        counters: Counters,
        policy: RetryPolicy,
        stop: threading.Event,
        clock: Clock | None = None,
    ) -> None:
        self.transport = transport
        self.headers = dict(headers)
        self.counters = counters
        self.policy = policy
        self.stop = stop
        self.clock = clock or SystemClock()

    def deliver(self, batch: Batch) -> None:
        """Send `batch` until it is answered or given up; an interrupted wait gives up at once."""
        if not batch:
            return
        policy = self.policy
        started = self.clock.monotonic()
        attempt = 0
        while True:
            # sent_at is stamped per attempt: the server corrects our clock by received_at - sent_at.
            retry = self._attempt(batch, format_ms(now_ms()))
            if retry is None:
                return
            attempt += 1
            if self.stop.is_set():
                self._give_up(batch, "at shutdown")
                return
            wait = backoff(attempt, base=policy.base, cap=policy.cap, asked=retry.asked)
            elapsed = self.clock.monotonic() - started
            if elapsed + wait >= policy.max_seconds or (
                policy.max_retries is not None and attempt > policy.max_retries
            ):
                self._give_up(batch, f"after {attempt} attempts in {elapsed:.0f} s")
                return
            if self.clock.wait(wait, self.stop):
                self._give_up(batch, "at shutdown")
                return
            self.counters.add(retried=len(batch))

    def _attempt(self, batch: Batch, sent_at: str) -> Retry | None:
        """None when the batch is settled (delivered, or refused for good)."""
        try:
            response = self.transport.send(batch.body(sent_at), self.headers)
        except Exception as exc:  # any failure to get an answer is treated as a network error
            self.counters.warn_once("network", "chatlytics: sending failed, will retry: %r", exc)
            return Retry()
        status = response.status_code
        if 200 <= status < 300:
            self._delivered(batch, response)
            return None
        if is_retryable(status):
            self.counters.warn_once(
                f"status:{status}", "chatlytics: server answered %s, will retry", status
            )
            return Retry(retry_after(response.headers))
        self.counters.add(failed=len(batch))
        self.counters.warn_once(
            f"status:{status}",
            "chatlytics: server answered %s, dropped %d events (not retried): %s",
            status,
            len(batch),
            response.content[:300].decode(errors="replace"),
        )
        return None

    def _delivered(self, batch: Batch, response: Response) -> None:
        if response.status_code == 202:
            self.counters.warn_once("disabled", "chatlytics: the server has analytics disabled")
        rejected = _rejections(response.content)
        self.counters.add(sent=len(batch) - len(rejected), failed=len(rejected))
        if rejected:
            self.counters.warn_once(
                "rejected",
                "chatlytics: server rejected %d events, first: %s",
                len(rejected),
                rejected[0],
            )

    def _give_up(self, batch: Batch, when: str) -> None:
        self.counters.add(failed=len(batch))
        self.counters.warn_once("gave-up", "chatlytics: gave up %d events %s", len(batch), when)


def _rejections(content: bytes) -> list[object]:
    """The `rejected` list of a 200 answer; empty when the answer says nothing readable."""
    try:
        answer = json.loads(content)
    except ValueError:
        return []
    rejected = answer.get("rejected") if isinstance(answer, dict) else None
    return rejected if isinstance(rejected, list) else []
