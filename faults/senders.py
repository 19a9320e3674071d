"""The load: the real SDK client, and a raw HTTP sender that records exactly which ids a 2xx acked.

Both follow the contract's client rules (docs/events.md): retry 429, 5xx and network errors with the
same event ids, after Retry-After when the answer has one; never retry other 4xx. Both release events
on a schedule (the offered load), so a stall (a killed collector, a database outage) builds a backlog
that is sent once the collector answers again, as a real site's traffic would.
"""

from __future__ import annotations

import queue
import threading
import time
import zlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import httpx
import orjson
from bench.events import Event, rfc3339
from bench.load import BROWSER
from bench.server import WRITE_KEY

from chatlytics.sdk import Client, Counts, HttpTransport
from faults.ledger import Answers, Ledger, Sent

# A bound on every retry loop, so that a broken collector cannot hang a proof.
GIVE_UP_AFTER_S = 300.0
MAX_BACKOFF_S = 2.0


def split(events: Sequence[Event], parts: int) -> list[list[Event]]:
    """Whole sessions to each sender (as a site's visits would be), by a hash of the session id."""
    shares: list[list[Event]] = [[] for _ in range(parts)]
    for event in events:
        shares[zlib.crc32(event["session_id"].encode()) % parts].append(event)
    return shares


def sent_of(event: Event) -> Sent:
    return Sent(event["type"], event["session_id"], event.get("conversation_id"))


def retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after", "")
    return float(value) if value.replace(".", "", 1).isdigit() else None


def _retryable(status: int) -> bool:
    return status in (408, 429) or status >= 500


class RawSender:
    """Worker threads POST batches with httpx; each batch is retried with its ids until a 2xx."""

    def __init__(
        self,
        base_url: str,
        batches: Sequence[list[Event]],
        ledger: Ledger,
        answers: Answers,
        *,
        workers: int = 4,
        period_s: float = 0.0,
    ) -> None:
        self.base_url = base_url
        self.ledger = ledger
        self.answers = answers
        self.workers = workers
        self.period_s = period_s  # batch i is released at start + i * period_s
        self._batches: queue.Queue[tuple[int, list[Event]]] = queue.Queue()
        for number, batch in enumerate(batches):
            self._batches.put((number, batch))
            for event in batch:
                ledger.handed(event["event_id"], sent_of(event))
        self._threads: list[threading.Thread] = []
        self._started = 0.0
        self._deadline = 0.0

    def start(self) -> None:
        self._started = time.monotonic()
        self._deadline = self._started + GIVE_UP_AFTER_S
        self._threads = [
            threading.Thread(target=self._work, name=f"raw-sender-{n}", daemon=True)
            for n in range(self.workers)
        ]
        for thread in self._threads:
            thread.start()

    def join(self, timeout: float) -> bool:
        """Wait for every batch to be settled; False if some are still being tried."""
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in self._threads)

    def _work(self) -> None:
        headers = {
            "Authorization": f"Bearer {WRITE_KEY}",
            "Content-Type": "application/json",
            # The batches hold widget events: a crawler's would be dropped, a browser's are kept.
            "User-Agent": BROWSER,
        }
        with httpx.Client(base_url=self.base_url, headers=headers, timeout=30) as http:
            while True:
                try:
                    number, batch = self._batches.get_nowait()
                except queue.Empty:
                    return
                due = self._started + number * self.period_s
                time.sleep(max(0.0, due - time.monotonic()))
                self._deliver(http, batch)

    def _deliver(self, http: httpx.Client, batch: list[Event]) -> None:
        ids = [event["event_id"] for event in batch]
        attempt = 0
        while time.monotonic() < self._deadline:
            attempt += 1
            backoff = min(MAX_BACKOFF_S, 0.05 * 2**attempt)
            body = orjson.dumps({"sent_at": rfc3339(datetime.now(UTC)), "events": batch})
            try:
                response = http.post("/v1/events", content=body)
            except httpx.TransportError:
                self.answers.network_error()  # refused, reset or cut off: maybe stored, so resend
                time.sleep(backoff)
                continue
            self.answers.answer(response.status_code, response.headers)
            if response.status_code == 200:
                rejected = self.answers.settled(response.content, len(batch))
                self.ledger.ack(i for n, i in enumerate(ids) if n not in rejected)
                self.ledger.refuse([ids[n] for n in sorted(rejected)], "rejected")
                return
            if _retryable(response.status_code):
                time.sleep(retry_after(response.headers) or backoff)
                continue
            self.ledger.refuse(ids, f"HTTP {response.status_code}: {response.text[:200]}")
            return
        self.ledger.refuse(ids, f"still not stored after {GIVE_UP_AFTER_S:.0f} s")


class RecordingTransport(HttpTransport):
    """The SDK's own HTTP transport; it also notes the answers and which ids a 2xx acknowledged."""

    def __init__(self, url: str, ledger: Ledger, answers: Answers) -> None:
        super().__init__(url, timeout=30)
        self.ledger = ledger
        self.answers = answers

    def send(self, payload: bytes, headers: Mapping[str, str]) -> httpx.Response:
        try:
            response = super().send(payload, headers)
        except Exception:
            self.answers.network_error()
            raise
        self.answers.answer(response.status_code, response.headers)
        if 200 <= response.status_code < 300:
            ids = [event["event_id"] for event in orjson.loads(payload)["events"]]
            rejected = self.answers.settled(response.content, len(ids))
            self.ledger.ack(i for n, i in enumerate(ids) if n not in rejected)
        return response


class SdkSender:
    """One `chatlytics.sdk.Client`, as a chat server uses it, fed by a producer thread on a schedule.

    The SDK makes its own event ids; the ledger learns them from `track()`.
    """

    def __init__(
        self,
        base_url: str,
        events: Sequence[Event],
        ledger: Ledger,
        answers: Answers,
        *,
        period_s: float = 0.0,
    ) -> None:
        self.events = events
        self.ledger = ledger
        self.period_s = period_s  # event i is tracked at start + i * period_s
        self.client = Client(
            base_url,
            WRITE_KEY,
            enabled=True,
            transport=RecordingTransport(f"{base_url}/v1/events", ledger, answers),
            max_queue=len(events) + 1,  # the whole load may queue up behind an outage
            flush_at=100,
            flush_interval=0.2,
            # The SDK's defaults retry for 5 minutes, outlasting the outage; waits are capped at
            # 10 s (not 30) so the proof does not idle long after the database is back.
            backoff_max=10.0,
        )
        self._producer = threading.Thread(target=self._produce, name="sdk-producer", daemon=True)

    def start(self) -> None:
        self._producer.start()

    def _produce(self) -> None:
        started = time.monotonic()
        for number, event in enumerate(self.events):
            time.sleep(max(0.0, started + number * self.period_s - time.monotonic()))
            event_id = self.client.track(
                event["type"],
                user_id=event["user_id"],
                session_id=event["session_id"],
                conversation_id=event.get("conversation_id"),
                page_url=event.get("page_url"),
                properties=event["properties"],
                timestamp=datetime.fromisoformat(event["timestamp"]),
            )
            if event_id is None:
                self.ledger.drop()
            else:
                self.ledger.handed(event_id, sent_of(event))

    def finish(self, timeout: float) -> Counts:
        """Wait for the producer, deliver what is queued, shut down; the client's own counts."""
        deadline = time.monotonic() + timeout
        self._producer.join(timeout)
        self.client.flush(max(0.0, deadline - time.monotonic()))
        counts = self.client.counts()
        self.client.shutdown(timeout=5)
        return counts
