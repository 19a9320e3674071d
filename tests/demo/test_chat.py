"""The chat WebSocket over a real loopback server: the protocol, and the SDK events it reports.

The SDK client sends through a recording transport (the SDK's test seam), so each test sees exactly
which events the chat server produced, in order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from websockets.sync.client import ClientConnection, connect

from chatlytics.demo import create_demo_app
from chatlytics.demo.bot import MODEL, Reply, answer
from chatlytics.demo.chat import APOLOGY
from tests.sdk.fakes import RecordingTransport, make_client, wait_until
from tests.sdk.servers import serve

QUERY = "user_id=visitor-1&session_id=visit-1"


@contextmanager
def chat_server(bot: Any = None) -> Iterator[tuple[str, RecordingTransport]]:
    transport = RecordingTransport()
    client = make_client(transport, flush_interval=0.01)
    app = create_demo_app("http://collector.test", "test-write", sdk_client=client, bot=bot)
    with serve(app) as url:
        yield url.replace("http://", "ws://") + "/ws", transport
        assert wait_until(lambda: client.gauges.open_sessions == 0)
    assert client.shutdown(timeout=5)


def exchange(ws: ClientConnection, message: dict[str, Any]) -> dict[str, Any]:
    ws.send(json.dumps(message))
    answer: dict[str, Any] = json.loads(ws.recv(timeout=10))
    return answer


def test_a_chat_reports_its_session_conversation_and_messages() -> None:
    with chat_server() as (url, transport), connect(f"{url}?{QUERY}") as ws:
        reply = exchange(ws, {"type": "message", "text": "Do you have 205/55 R16 winter tyres?"})
        second = exchange(ws, {"type": "message", "text": "bicycles?"})
        ended = exchange(ws, {"type": "close"})
    expected = answer("Do you have 205/55 R16 winter tyres?")
    assert reply["type"] == "reply"
    assert reply["text"] == expected.text
    assert reply["fallback"] is False
    assert [p["id"] for p in reply["products"]] == [t.id for t in expected.products]
    card = reply["products"][0]
    assert card == {
        "id": "nordkap-polar-3",
        "name": "Nordkap Polar 3",
        "category": "winter",
        "price": 109.0,
        "currency": "EUR",
        "sizes": ["205/55 R16", "225/45 R17", "215/60 R17"],
        "label": "C/B/70 dB",
        "url": "/tyres/nordkap-polar-3",
    }
    assert second["fallback"] is True
    assert second["conversation_id"] == reply["conversation_id"]
    assert ended == {
        "type": "ended",
        "conversation_id": reply["conversation_id"],
        "status": "completed",
    }

    assert wait_until(lambda: "session_end" in transport.types())
    events = transport.events()
    assert [e["type"] for e in events] == [
        "session_start",
        "conversation_start",
        "user_message",
        "bot_response",
        "user_message",
        "bot_response",
        "conversation_end",
        "session_end",
    ]
    assert {(e["user_id"], e["session_id"], e["source"]) for e in events} == {
        ("visitor-1", "visit-1", "backend")
    }
    conversation = {e.get("conversation_id") for e in events[1:7]}
    assert conversation == {reply["conversation_id"]}
    bot = events[3]["properties"]
    assert bot["content"] == expected.text
    assert (bot["fallback"], bot["model"], bot["message_id"]) == (False, MODEL, reply["message_id"])
    assert bot["latency_ms"] >= 0
    assert events[5]["properties"]["fallback"] is True
    assert events[6]["properties"] == {"status": "completed"}
    assert events[7]["properties"] == {"status": "completed"}


def test_a_handover_ends_the_conversation_and_the_next_question_starts_another() -> None:
    with chat_server() as (url, transport), connect(f"{url}?{QUERY}") as ws:
        first = exchange(ws, {"type": "message", "text": "Hi"})
        ended = exchange(ws, {"type": "handover"})
        again = exchange(ws, {"type": "message", "text": "Hi again"})
    assert ended == {
        "type": "ended",
        "conversation_id": first["conversation_id"],
        "status": "handover",
    }
    assert again["conversation_id"] != first["conversation_id"]
    assert wait_until(lambda: "session_end" in transport.types())
    ends = [e for e in transport.events() if e["type"] == "conversation_end"]
    assert [(e["conversation_id"], e["properties"]["status"]) for e in ends] == [
        (first["conversation_id"], "handover"),
        (again["conversation_id"], "completed"),  # the socket closed with it open
    ]


def test_closing_with_no_conversation_reports_none() -> None:
    with chat_server() as (url, transport), connect(f"{url}?{QUERY}") as ws:
        assert exchange(ws, {"type": "close"}) == {
            "type": "ended",
            "conversation_id": None,
            "status": "completed",
        }
    assert wait_until(lambda: "session_end" in transport.types())
    assert transport.types() == ["session_start", "session_end"]


def test_a_failing_bot_is_reported_and_the_visitor_gets_an_apology() -> None:
    def bot(text: str) -> Reply:
        if text == "boom":
            raise RuntimeError("catalogue service unreachable")
        return answer(text)

    with chat_server(bot) as (url, transport), connect(f"{url}?{QUERY}") as ws:
        failed = exchange(ws, {"type": "message", "text": "boom"})
        fine = exchange(ws, {"type": "message", "text": "Hi"})
    assert (failed["text"], failed["fallback"], failed["products"]) == (APOLOGY, True, [])
    assert fine["fallback"] is False
    assert wait_until(lambda: "session_end" in transport.types())
    events = transport.events()
    assert [e["type"] for e in events] == [
        "session_start",
        "conversation_start",
        "user_message",
        "error",
        "bot_response",
        "user_message",
        "bot_response",
        "conversation_end",
        "session_end",
    ]
    error = events[3]
    assert error["conversation_id"] == failed["conversation_id"]
    assert error["properties"] == {
        "kind": "RuntimeError",
        "message": "catalogue service unreachable",
    }
    assert events[4]["properties"]["fallback"] is True
    assert events[-1]["properties"] == {"status": "completed"}  # the session went on


def test_unknown_or_malformed_messages_are_refused_without_ending_the_session() -> None:
    with chat_server() as (url, transport), connect(f"{url}?{QUERY}") as ws:
        for bad in [
            '{"type": "dance"}',
            "not json",
            '{"type": "message", "text": ""}',
            json.dumps({"type": "message", "text": "x" * 2001}),
        ]:
            ws.send(bad)
            assert json.loads(ws.recv(timeout=10))["type"] == "invalid"
        assert exchange(ws, {"type": "message", "text": "Hi"})["type"] == "reply"
    assert wait_until(lambda: "session_end" in transport.types())
    assert transport.types().count("user_message") == 1


def test_a_chat_without_the_trackers_ids_is_served_but_not_reported() -> None:
    # No ids: the tracker is blocked, or the visitor gave no consent (ids() gives nulls).
    with chat_server() as (url, transport):
        for query in ("", "?user_id=visitor-1", "?session_id=visit-1"):
            with connect(url + query) as ws:
                assert exchange(ws, {"type": "message", "text": "Hi"})["type"] == "reply"
                assert exchange(ws, {"type": "close"})["type"] == "ended"
    assert transport.events() == []
