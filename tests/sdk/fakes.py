"""Test doubles for the SDK: a transport that records requests and answers from a script."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chatlytics.sdk import Client, Transport

OK_BODY = b'{"accepted":0,"duplicates":0,"rejected":[]}'


@dataclass
class Reply:
    """An answer as the transport returns it (what the SDK reads of an httpx.Response)."""

    status_code: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = OK_BODY


@dataclass(frozen=True)
class Request:
    body: dict[str, Any]
    headers: dict[str, str]
    size: int
    at: float  # time.monotonic() when it was sent

    @property
    def events(self) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = self.body["events"]
        return events


class RecordingTransport:
    """Records every request; answers from `replies` in order (an exception is raised), then 200.

    `gate`, when cleared, holds every send until it is set again: the consumer stays busy.
    """

    def __init__(self, replies: Iterable[Reply | Exception] = ()) -> None:
        self.replies: deque[Reply | Exception] = deque(replies)
        self.requests: list[Request] = []
        self.gate = threading.Event()
        self.gate.set()
        self.closed = False
        self._lock = threading.Lock()

    def send(self, payload: bytes, headers: Mapping[str, str]) -> Reply:
        self.gate.wait()
        with self._lock:
            self.requests.append(
                Request(json.loads(payload), dict(headers), len(payload), time.monotonic())
            )
            reply = self.replies.popleft() if self.replies else Reply()
        if isinstance(reply, Exception):
            raise reply
        return reply

    def close(self) -> None:
        self.closed = True

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            return [event for request in self.requests for event in request.events]

    def types(self) -> list[str]:
        return [event["type"] for event in self.events()]


class ManualClock:
    """Time that moves only when the SDK waits: an outage of minutes passes in no time at all."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.waits: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return self.now

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        if stop.is_set():
            return True
        with self._lock:
            self.waits.append(seconds)
            self.now += seconds
        return False


def make_client(transport: Transport, **overrides: Any) -> Client:
    """A client on `transport` that only sends when flushed (or full), and retries at once."""
    options: dict[str, Any] = {
        "enabled": True,
        "flush_interval": 60.0,
        "backoff_base": 0.001,
        "backoff_max": 0.01,
        "transport": transport,
    }
    options.update(overrides)
    return Client("http://analytics.test", "test-write", **options)


def wait_until(condition: Any, timeout: float = 5.0) -> bool:
    """Poll `condition()` until it is true or `timeout` seconds pass; its last value."""
    deadline = time.monotonic() + timeout
    while not (result := condition()) and time.monotonic() < deadline:
        time.sleep(0.005)
    return bool(result)


def chat_event(client: Client, n: int = 0, **overrides: Any) -> str | None:
    """Track one user message of session s1 (content `m{n}`)."""
    options: dict[str, Any] = {
        "user_id": "u1",
        "session_id": "s1",
        "conversation_id": "c1",
        "properties": {"content": f"m{n}"},
    }
    options.update(overrides)
    return client.track("user_message", **options)
