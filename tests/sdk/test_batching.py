"""Batches leave on count, on time and on size; what a request looks like on the wire."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime

from chatlytics.events.validate import parse_rfc3339
from chatlytics.sdk._batch import MAX_EVENT_BYTES
from tests.sdk.fakes import RecordingTransport, chat_event, make_client, wait_until


def test_a_batch_leaves_when_it_holds_flush_at_events() -> None:
    transport = RecordingTransport()
    client = make_client(transport, flush_at=10)
    for n in range(25):
        chat_event(client, n)
    assert wait_until(lambda: len(transport.requests) == 2)
    assert [len(r.events) for r in transport.requests] == [10, 10]
    assert client.flush()
    assert [len(r.events) for r in transport.requests] == [10, 10, 5]
    assert [e["properties"]["content"] for e in transport.events()] == [f"m{n}" for n in range(25)]
    client.shutdown()


def test_a_batch_leaves_flush_interval_after_its_first_event() -> None:
    transport = RecordingTransport()
    client = make_client(transport, flush_interval=0.1)
    started = time.monotonic()
    chat_event(client, 1)
    chat_event(client, 2)
    assert wait_until(lambda: transport.requests, timeout=5)
    assert transport.requests[0].at - started >= 0.09
    assert len(transport.requests[0].events) == 2
    client.shutdown()


def test_a_batch_leaves_before_its_body_would_pass_max_batch_bytes() -> None:
    transport = RecordingTransport()
    limit = 40_000
    client = make_client(transport, max_batch_bytes=limit)
    text = "x" * 5000
    for n in range(20):
        chat_event(client, n, properties={"content": text, "n": n})
    assert client.flush()
    sizes = [r.size for r in transport.requests]
    assert all(size <= limit for size in sizes), sizes
    assert len(sizes) >= math.ceil(20 * 5000 / limit)
    assert [e["properties"]["n"] for e in transport.events()] == list(range(20))
    client.shutdown()


def test_the_request_body_and_headers() -> None:
    transport = RecordingTransport()
    client = make_client(transport)
    event_id = chat_event(client, 7, page_url="https://shop.example.com/")
    before = datetime.now(UTC)
    assert client.flush()
    (request,) = transport.requests
    assert set(request.body) == {"sent_at", "events"}
    assert parse_rfc3339(request.body["sent_at"]) >= before.replace(microsecond=0)
    assert request.body["sent_at"].endswith("Z")
    assert len(request.body["sent_at"]) == 24
    (event,) = request.events
    assert event == {
        "event_id": event_id,
        "type": "user_message",
        "timestamp": event["timestamp"],
        "source": "backend",
        "user_id": "u1",
        "session_id": "s1",
        "conversation_id": "c1",
        "page_url": "https://shop.example.com/",
        "properties": {"content": "m7"},
    }
    assert request.headers["Authorization"] == "Bearer test-write"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"].startswith("chatlytics-python/")
    client.shutdown()


def test_events_the_server_would_refuse_are_dropped_alone_and_counted() -> None:
    transport = RecordingTransport()
    client = make_client(transport)
    chat_event(client, 1)
    chat_event(client, 2, properties={"content": "x" * MAX_EVENT_BYTES})  # too large
    chat_event(client, 3, properties={"content": "nan", "score": math.nan})  # not JSON
    chat_event(client, 4, properties={"content": "when", "at": datetime(2026, 1, 2, tzinfo=UTC)})
    assert client.flush()
    sent = transport.events()
    assert [e["properties"]["content"] for e in sent] == ["m1", "when"]
    assert sent[1]["properties"]["at"] == "2026-01-02 00:00:00+00:00"
    assert (client.sent, client.failed) == (2, 2)
    client.shutdown()


def test_properties_are_copied_when_tracked() -> None:
    transport = RecordingTransport()
    client = make_client(transport)
    properties = {"content": "before"}
    chat_event(client, properties=properties)
    properties["content"] = "after"
    assert client.flush()
    assert transport.events()[0]["properties"] == {"content": "before"}
    client.shutdown()


def test_a_given_timestamp_is_the_events_while_its_id_keeps_the_time_it_was_made() -> None:
    transport = RecordingTransport()
    client = make_client(transport)
    moment = datetime(2026, 3, 4, 5, 6, 7, 891_234, tzinfo=UTC)
    event_id = chat_event(client, timestamp=moment)
    assert event_id is not None
    assert client.flush()
    assert transport.events()[0]["timestamp"] == "2026-03-04T05:06:07.891Z"
    made = int(event_id.replace("-", "")[:12], 16) / 1000
    assert abs(made - time.time()) < 60
    client.shutdown()
