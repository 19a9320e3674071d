"""What the senders handed over and what the collector acknowledged, and how it answered."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import orjson


@dataclass(frozen=True, slots=True)
class Sent:
    """What the audit needs to know of one event to predict the rows it makes."""

    type: str
    session_id: str
    conversation_id: str | None


class Ledger:
    """Every event handed to a sender, the ids a 2xx acknowledged, and those refused; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sent: dict[str, Sent] = {}
        self.acked: set[str] = set()
        self.refused: list[str] = []  # one line per event a sender gave up on, with the reason
        self.dropped = 0  # events the SDK would not even queue

    def handed(self, event_id: str, sent: Sent) -> None:
        with self._lock:
            if event_id in self.sent:
                raise ValueError(f"event id {event_id!r} handed over twice")
            self.sent[event_id] = sent

    def ack(self, ids: Iterable[str]) -> None:
        with self._lock:
            self.acked.update(ids)

    def refuse(self, ids: Iterable[str], reason: str) -> None:
        with self._lock:
            self.refused.extend(f"{event_id}: {reason}" for event_id in ids)

    def drop(self) -> None:
        with self._lock:
            self.dropped += 1

    @property
    def acked_count(self) -> int:
        return len(self.acked)


class Answers:
    """How the collector answered every attempt of every sender; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self.network_errors = 0
        self.without_retry_after = 0  # 503 or 429 answers that did not say when to come back
        self.contract_breaches: list[str] = []  # 200 answers that do not account for every event
        self.duplicates = 0  # events a 200 called duplicates: a retry of a batch already committed

    def answer(self, status: int, headers: Mapping[str, str]) -> None:
        with self._lock:
            self.statuses[status] += 1
            if status in (429, 503) and not headers.get("retry-after"):
                self.without_retry_after += 1

    def network_error(self) -> None:
        with self._lock:
            self.network_errors += 1

    def settled(self, content: bytes, size: int) -> set[int]:
        """Read a 200 answer to `size` events; the positions it rejected."""
        rejected, duplicates, breach = accounted(content, size)
        with self._lock:
            self.duplicates += duplicates
            if breach:
                self.contract_breaches.append(breach)
        return rejected

    def count(self, status: int) -> int:
        return self.statuses[status]

    @property
    def other_5xx(self) -> int:
        """Server errors other than the 503 the contract promises for an unavailable database."""
        return sum(n for status, n in self.statuses.items() if status >= 500 and status != 503)


def accounted(content: bytes, size: int) -> tuple[set[int], int, str | None]:
    """A 200 answer's rejected positions, its duplicates, and a note if it does not account for
    every one of `size` events."""
    try:
        answer = orjson.loads(content)
    except orjson.JSONDecodeError:
        answer = None
    if not isinstance(answer, dict):
        return set(), 0, f"200 answer is not a JSON object: {content!r:.200}"
    rejected = answer.get("rejected")
    positions = {r["index"] for r in rejected} if isinstance(rejected, list) else set()
    total = answer.get("accepted", 0) + answer.get("duplicates", 0) + len(positions)
    total += answer.get("discarded", 0)
    duplicates = answer.get("duplicates", 0)
    if total != size:
        return (
            positions,
            duplicates,
            f"200 answer accounts for {total} of {size} events: {answer!r:.200}",
        )
    return positions, duplicates, None
