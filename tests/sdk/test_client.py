"""The client: never blocks, drops and counts when full, flushes, shuts down, redacts, or does nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from chatlytics.events.catalogue import CATALOGUE
from chatlytics.events.validate import ValidEvent, validate_event
from chatlytics.sdk import Client
from tests.sdk.fakes import RecordingTransport, chat_event, make_client, wait_until


def consumer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "chatlytics-consumer"]


def test_a_full_queue_drops_and_counts_without_blocking_the_caller() -> None:
    transport = RecordingTransport()
    transport.gate.clear()  # the consumer will hang in its first send
    client = make_client(transport, max_queue=5, flush_at=1)
    chat_event(client, 0)
    assert wait_until(lambda: client._queue.empty())  # the consumer holds it, blocked
    started = time.perf_counter()
    queued = [chat_event(client, n) for n in range(1, 51)]
    assert time.perf_counter() - started < 0.5  # blocking would mean waiting for the gate
    assert sum(q is not None for q in queued) == 5
    assert client.dropped == 45
    transport.gate.set()
    assert client.flush()
    assert (client.sent, client.dropped, client.failed) == (6, 45, 0)
    client.shutdown()


def test_flush_times_out_while_the_server_hangs_and_succeeds_after() -> None:
    transport = RecordingTransport()
    transport.gate.clear()
    client = make_client(transport)
    chat_event(client)
    assert client.flush(timeout=0.05) is False
    transport.gate.set()
    assert client.flush(timeout=5) is True
    assert client.sent == 1
    client.shutdown()


def test_nothing_starts_until_the_first_event() -> None:
    before = len(consumer_threads())
    client = make_client(RecordingTransport())
    assert client.flush(timeout=0) is True
    assert len(consumer_threads()) == before
    client.shutdown()


def test_shutdown_delivers_what_is_queued_then_refuses_more() -> None:
    transport = RecordingTransport()
    client = make_client(transport)
    for n in range(3):
        chat_event(client, n)
    thread = client._consumer
    assert client.shutdown(timeout=5) is True
    assert len(transport.events()) == 3
    assert transport.closed
    assert thread is not None
    assert not thread.is_alive()
    assert chat_event(client, 9) is None
    assert client.dropped == 1
    assert client.shutdown() is True  # twice is fine
    assert client.flush(timeout=0) is True
    assert len(transport.events()) == 3


def test_before_send_can_redact_or_drop() -> None:
    def scrub(event: dict[str, Any]) -> dict[str, Any] | None:
        if event["type"] == "custom.secret":
            return None
        event["properties"]["content"] = event["properties"]["content"].replace("4111", "****")
        return event

    transport = RecordingTransport()
    client = make_client(transport, before_send=scrub)
    chat_event(client, properties={"content": "my card is 4111"})
    client.track("custom.secret", user_id="u1", session_id="s1")
    assert client.flush()
    assert [e["properties"]["content"] for e in transport.events()] == ["my card is ****"]
    assert (client.sent, client.filtered) == (1, 1)
    client.shutdown()


def test_a_failing_before_send_drops_the_event_rather_than_leak_it() -> None:
    def broken(event: dict[str, Any]) -> dict[str, Any] | None:
        raise KeyError("oops")

    transport = RecordingTransport()
    client = make_client(transport, before_send=broken)
    chat_event(client)
    assert client.flush()
    assert transport.requests == []
    assert client.failed == 1
    client.shutdown()


def test_a_disabled_client_does_nothing() -> None:
    transport = RecordingTransport()
    before = len(consumer_threads())
    client = Client("http://analytics.test", "", enabled=False, transport=transport)
    assert chat_event(client) is None
    assert client.session_start("u1", "s1") is None
    assert client.flush()
    assert client.shutdown()
    assert transport.requests == []
    assert client.counts() == client.counts().__class__()
    assert len(consumer_threads()) == before


@pytest.mark.parametrize(
    ("value", "enabled"),
    [
        (None, True),
        ("", True),
        ("true", True),
        ("1", True),
        ("false", False),
        ("0", False),
        (" OFF ", False),
    ],
)
def test_analytics_enabled_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str | None, enabled: bool
) -> None:
    if value is None:
        monkeypatch.delenv("ANALYTICS_ENABLED", raising=False)
    else:
        monkeypatch.setenv("ANALYTICS_ENABLED", value)
    client = Client("http://analytics.test", "key", transport=RecordingTransport())
    assert client.enabled is enabled
    client.shutdown()


@pytest.mark.parametrize(
    "options",
    [{"flush_at": 0}, {"flush_at": 501}, {"max_batch_bytes": 1000}, {"max_batch_bytes": 600_000}],
)
def test_settings_the_server_could_not_take_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(options))):
        Client("http://analytics.test", "key", transport=RecordingTransport(), **options)


def test_an_enabled_client_needs_a_write_key() -> None:
    with pytest.raises(ValueError, match="write_key"):
        Client("http://analytics.test", "", enabled=True)


def test_the_endpoint_is_the_servers_base_url() -> None:
    assert (
        Client("https://a.example.com/", "k", enabled=False).url
        == "https://a.example.com/v1/events"
    )
    assert (
        Client("https://a.example.com/v1/events", "k", enabled=False).url
        == "https://a.example.com/v1/events"
    )


# Every chat-server event of the catalogue has a helper, and what it sends passes the server's checks.

BACKEND_TYPES = sorted(t for t, (channel, _) in CATALOGUE.items() if channel == "backend")


def all_helpers(client: Client) -> None:
    u, s, c = "u1", "s1", "c1"
    client.session_start(
        u, s, client_info={"user_agent": "Mozilla/5.0"}, location={"city": "Lyon", "country": "FR"}
    )
    client.conversation_start(u, s, c)
    client.user_message(u, s, c, "Do you ship to Canada?", message_id="m1")
    client.bot_response(
        u,
        s,
        c,
        "Yes.",
        latency_ms=812.5,
        fallback=False,
        model="gpt-4o-mini",
        tokens_in=12,
        tokens_out=3,
        cost=0.0001,
    )
    client.system_message(u, s, c, "An agent joined")
    client.error(u, s, "llm_timeout", "no answer in 30 s", conversation_id=c)
    client.conversation_end(u, s, c, status="handover")
    client.performance(
        u, s, cpu_percent=12.5, memory_mb=210.0, active_connections=3, response_time_ms=640.0
    )
    client.session_end(u, s, status="error", reason="upstream down")


def test_every_backend_event_type_has_a_typed_helper() -> None:
    assert all(callable(getattr(Client, t, None)) for t in BACKEND_TYPES)


def test_the_helpers_events_pass_the_servers_validation() -> None:
    transport = RecordingTransport()
    client = make_client(transport)
    all_helpers(client)
    assert client.flush()
    now = datetime.now(UTC)
    checked = [
        validate_event(i, e, sent_at=now, received_at=now) for i, e in enumerate(transport.events())
    ]
    assert all(isinstance(v, ValidEvent) for v in checked), checked
    assert sorted(v.type for v in checked if isinstance(v, ValidEvent)) == BACKEND_TYPES
    assert {v.source for v in checked if isinstance(v, ValidEvent)} == {"backend"}
    bot = next(e for e in transport.events() if e["type"] == "bot_response")
    assert bot["properties"]["tokens_in"] == 12
    assert "message_id" not in bot["properties"]
    client.shutdown()


def test_events_still_queued_at_exit_are_sent_by_the_atexit_hook() -> None:
    program = (
        "import sys\n"
        "from chatlytics.sdk import Client\n"
        "class Reply:\n"
        "    status_code, headers, content = 200, {}, b'{}'\n"
        "class Print:\n"
        "    def send(self, payload, headers):\n"
        "        print(payload.decode(), flush=True)\n"
        "        return Reply()\n"
        "client = Client('http://x', 'k', enabled=True, transport=Print(), flush_interval=60)\n"
        "for n in range(3):\n"
        "    client.track('custom.thing', user_id='u', session_id='s', properties={'n': n})\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    )
    bodies = [json.loads(line) for line in done.stdout.splitlines()]
    assert [e["properties"]["n"] for body in bodies for e in body["events"]] == [0, 1, 2]
