"""Retries: 5xx, 408, 429 and network errors again with backoff and Retry-After; other 4xx never."""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from chatlytics.sdk import Client
from chatlytics.sdk._retry import backoff, is_retryable, retry_after
from tests.sdk.fakes import ManualClock, RecordingTransport, Reply, chat_event, make_client

UNAVAILABLE = Reply(503, {"Retry-After": "0"}, b'{"detail": "storage unavailable"}')
UNAVAILABLE_5S = Reply(503, {"Retry-After": "5"}, b'{"detail": "storage unavailable"}')


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_transient_answers_are_retried_with_the_same_event_ids(status: int) -> None:
    transport = RecordingTransport([Reply(status), Reply(status)])
    client = make_client(transport)
    ids = [chat_event(client, n) for n in range(3)]
    assert client.flush()
    assert len(transport.requests) == 3
    for request in transport.requests:
        assert [e["event_id"] for e in request.events] == ids
    counts = client.counts()
    assert (counts.sent, counts.failed, counts.retried) == (3, 0, 6)
    client.shutdown()


def test_network_errors_are_retried() -> None:
    transport = RecordingTransport([ConnectionResetError("peer went away"), TimeoutError()])
    client = make_client(transport)
    chat_event(client)
    assert client.flush()
    assert len(transport.requests) == 3
    assert (client.sent, client.retried) == (1, 2)
    client.shutdown()


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413, 415, 422])
def test_other_client_errors_are_never_retried(
    status: int, caplog: pytest.LogCaptureFixture
) -> None:
    transport = RecordingTransport([Reply(status), Reply(status)])
    client = make_client(transport)
    for n in range(4):
        chat_event(client, n)
    assert client.flush()
    chat_event(client, 9)
    assert client.flush()
    assert len(transport.requests) == 2
    assert (client.sent, client.failed, client.retried) == (0, 5, 0)
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1
    assert str(status) in warnings[0].getMessage()
    client.shutdown()


def test_retry_after_is_honoured_and_sent_at_is_stamped_per_attempt() -> None:
    transport = RecordingTransport(
        [Reply(429, {"Retry-After": "0.3"}), Reply(503, {"retry-after": "0.2"})]
    )
    client = make_client(transport, backoff_max=5.0)
    chat_event(client)
    assert client.flush()
    first, second, third = transport.requests
    assert second.at - first.at >= 0.3
    assert third.at - second.at >= 0.2
    stamps = [r.body["sent_at"] for r in transport.requests]
    assert len(set(stamps)) == 3
    assert stamps == sorted(stamps)
    assert len({r.events[0]["timestamp"] for r in transport.requests}) == 1
    client.shutdown()


def test_a_long_retry_after_is_capped() -> None:
    transport = RecordingTransport([Reply(503, {"Retry-After": "3600"})])
    client = make_client(transport, backoff_max=0.05)
    chat_event(client)
    started = time.monotonic()
    assert client.flush(timeout=5)
    assert time.monotonic() - started < 2
    client.shutdown()


class Outage:
    """A collector whose database is down for `seconds` (on `clock`) from the first request: 503 with
    the collector's Retry-After of 5 s, a bare 503, or no answer at all; then 200."""

    def __init__(self, clock: ManualClock, seconds: float, down: Reply | Exception) -> None:
        self.clock, self.seconds, self.down = clock, seconds, down
        self.sent_at: list[float] = []  # the clock's time of each request
        self.delivered: list[int] = []  # events per batch answered 200

    def send(self, payload: bytes, headers: object) -> Reply:
        now = self.clock.monotonic()
        self.sent_at.append(now)
        if now - self.sent_at[0] < self.seconds:
            if isinstance(self.down, Exception):
                raise self.down
            return self.down
        self.delivered.append(len(json.loads(payload)["events"]))
        return Reply()


DOWN = [UNAVAILABLE_5S, Reply(503), ConnectionRefusedError("database restarting")]


@pytest.mark.parametrize("down", DOWN, ids=["retry-after", "bare-503", "network"])
@pytest.mark.parametrize("outage_s", [30, 150])
def test_the_default_budget_outlives_a_database_outage(
    down: Reply | Exception, outage_s: float
) -> None:
    clock = ManualClock()
    outage = Outage(clock, outage_s, down)
    client = Client(
        "http://analytics.test", "test-write", enabled=True, transport=outage, clock=clock
    )
    for n in range(3):
        chat_event(client, n)
    assert client.flush()
    assert outage.delivered == [3]
    assert outage.sent_at[-1] - outage.sent_at[0] >= outage_s
    assert (client.sent, client.failed) == (3, 0)
    assert client.retried == 3 * (len(outage.sent_at) - 1)
    if down is UNAVAILABLE_5S:  # the server's pace, with a little jitter
        assert all(5.0 <= wait <= 5.5 for wait in clock.waits)
    client.shutdown()


def test_it_gives_up_once_max_retry_seconds_have_passed() -> None:
    clock = ManualClock()
    outage = Outage(clock, float("inf"), UNAVAILABLE_5S)
    client = make_client(outage, clock=clock, max_retry_seconds=60, backoff_max=30.0)
    chat_event(client, 1)
    chat_event(client, 2)
    assert client.flush()
    last = outage.sent_at[-1] - outage.sent_at[0]
    # No resend starts after the budget, and the next one would have.
    assert 60 - 5.5 < last <= 60
    assert (client.sent, client.failed, client.retried) == (0, 2, 2 * (len(outage.sent_at) - 1))
    client.shutdown()


def test_a_zero_budget_never_resends() -> None:
    transport = RecordingTransport([UNAVAILABLE])
    client = make_client(transport, max_retry_seconds=0)
    chat_event(client)
    assert client.flush()
    assert len(transport.requests) == 1
    assert (client.sent, client.failed, client.retried) == (0, 1, 0)
    client.shutdown()


def test_a_negative_budget_is_refused() -> None:
    with pytest.raises(ValueError, match="max_retry_seconds"):
        Client("http://analytics.test", "k", enabled=True, max_retry_seconds=-1)


def test_it_gives_up_after_max_retries_and_counts_the_events() -> None:
    transport = RecordingTransport([UNAVAILABLE] * 10)
    client = make_client(transport, max_retries=3)
    chat_event(client, 1)
    chat_event(client, 2)
    assert client.flush()
    assert len(transport.requests) == 4
    assert (client.sent, client.failed, client.retried) == (0, 2, 6)
    client.shutdown()


def test_rejected_events_of_a_200_answer_are_counted_as_failed() -> None:
    answer = b'{"accepted":1,"duplicates":0,"rejected":[{"index":1,"event_id":"x","error":"bad"}]}'
    transport = RecordingTransport([Reply(200, {}, answer)])
    client = make_client(transport)
    chat_event(client, 1)
    chat_event(client, 2)
    assert client.flush()
    assert (client.sent, client.failed, client.retried) == (1, 1, 0)
    client.shutdown()


def test_a_202_from_a_server_with_analytics_disabled_is_not_retried() -> None:
    transport = RecordingTransport([Reply(202, {}, b'{"accepted":0,"disabled":true}')])
    client = make_client(transport)
    chat_event(client)
    assert client.flush()
    assert len(transport.requests) == 1
    assert (client.sent, client.failed) == (1, 0)
    client.shutdown()


def test_shutdown_cuts_a_long_wait_short() -> None:
    transport = RecordingTransport([Reply(503, {"Retry-After": "30"})] * 5)
    client = make_client(transport, backoff_max=30.0)
    chat_event(client)
    started = time.monotonic()
    assert not client.shutdown(timeout=0.3)
    assert time.monotonic() - started < 2
    assert (client.sent, client.failed) == (0, 1)


# The policy on its own.


def test_which_statuses_are_retryable() -> None:
    assert [
        s for s in (200, 202, 400, 401, 403, 408, 413, 429, 500, 503, 599) if is_retryable(s)
    ] == [
        408,
        429,
        500,
        503,
        599,
    ]


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    assert retry_after({"Retry-After": "5"}, now=now) == 5.0
    assert retry_after({"retry-after": "1.5"}, now=now) == 1.5
    assert retry_after({"Retry-After": "-3"}, now=now) == 0.0
    later = format_datetime(now + timedelta(seconds=42), usegmt=True)
    assert retry_after({"Retry-After": later}, now=now) == 42.0
    assert retry_after({"Retry-After": "soon"}, now=now) is None
    assert retry_after({}, now=now) is None


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    rand = random.Random(7)
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (10, 30.0), (5000, 30.0)]:
        for _ in range(200):
            wait = backoff(attempt, base=0.5, cap=30.0, rand=rand)
            assert ceiling / 2 <= wait <= ceiling


def test_backoff_takes_retry_after_plus_a_little_jitter_capped() -> None:
    rand = random.Random(7)
    waits = [backoff(1, base=0.5, cap=30.0, asked=10.0, rand=rand) for _ in range(200)]
    assert all(10.0 <= w <= 11.0 for w in waits)
    assert len(set(waits)) > 1
    assert backoff(1, base=0.5, cap=30.0, asked=3600.0) == 30.0
