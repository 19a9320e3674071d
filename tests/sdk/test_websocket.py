"""The WebSocket integration, on a real Starlette WebSocket fed by scripted ASGI messages."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, MutableMapping
from typing import Any

import pytest
from starlette.websockets import WebSocket

from chatlytics.sdk import ChatSession, Client, tracked_session
from tests.sdk.fakes import RecordingTransport, make_client

Handler = Callable[[ChatSession, WebSocket], Coroutine[Any, Any, None]]


def socket_for(texts: list[str], *, query: bytes = b"user_id=u1&session_id=s1") -> WebSocket:
    """A WebSocket whose visitor connects, writes `texts`, then goes away."""
    incoming: list[dict[str, Any]] = [{"type": "websocket.connect"}]
    incoming += [{"type": "websocket.receive", "text": t} for t in texts]
    incoming.append({"type": "websocket.disconnect", "code": 1001})
    scope = {
        "type": "websocket",
        "path": "/chat",
        "query_string": query,
        "headers": [(b"user-agent", b"Mozilla/5.0 (pytest)")],
    }

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        pass

    return WebSocket(scope, receive, send)


async def echo_bot(chat: ChatSession, websocket: WebSocket) -> None:
    while True:
        text = await websocket.receive_text()
        chat.user_message(text)
        if text == "boom":
            raise RuntimeError("model backend unreachable")
        await asyncio.sleep(0.02)
        chat.bot_response(text.upper(), fallback=text == "???")
        await websocket.send_text(text.upper())


def run(client: Client, websocket: WebSocket, handler: Handler = echo_bot) -> None:
    async def endpoint() -> None:
        async with tracked_session(client, websocket) as chat:
            await handler(chat, websocket)

    asyncio.run(endpoint())


def test_a_chat_that_ends_by_disconnect() -> None:
    transport = RecordingTransport()
    client = make_client(transport)
    run(client, socket_for(["hi", "???"]))
    assert client.flush()
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
    assert {(e["user_id"], e["session_id"]) for e in events} == {("u1", "s1")}
    assert events[0]["properties"] == {"client_info": {"user_agent": "Mozilla/5.0 (pytest)"}}
    conversation = events[1]["conversation_id"]
    assert all(e.get("conversation_id") == conversation for e in events[1:7])
    bots = [e["properties"] for e in events if e["type"] == "bot_response"]
    assert all(20 <= b["latency_ms"] < 2000 for b in bots)
    assert [b["fallback"] for b in bots] == [False, True]
    assert events[6]["properties"] == {"status": "completed"}
    assert events[7]["properties"] == {"status": "completed"}
    assert client.gauges.open_sessions == 0
    client.shutdown()


def test_a_handler_that_fails_ends_the_session_as_error_and_raises() -> None:
    transport = RecordingTransport()
    client = make_client(transport)
    with pytest.raises(RuntimeError, match="unreachable"):
        run(client, socket_for(["hi", "boom"]))
    assert client.flush()
    events = transport.events()
    error, end = events[-2], events[-1]
    assert error["type"] == "error"
    assert error["properties"] == {"kind": "RuntimeError", "message": "model backend unreachable"}
    assert error["conversation_id"] == events[1]["conversation_id"]
    assert end["type"] == "session_end"
    assert end["properties"] == {
        "status": "error",
        "reason": "RuntimeError: model backend unreachable",
    }
    assert "conversation_end" not in [e["type"] for e in events]
    assert client.gauges.open_sessions == 0
    client.shutdown()


def test_ids_are_made_up_when_the_widget_sent_none() -> None:
    transport = RecordingTransport()
    client = make_client(transport)
    run(client, socket_for([], query=b""))
    assert client.flush()
    start, end = transport.events()
    assert start["user_id"].startswith("anonymous:")
    assert len(start["session_id"]) == 36
    assert (end["user_id"], end["session_id"]) == (start["user_id"], start["session_id"])
    client.shutdown()


def test_the_bot_speaking_first_has_no_latency_and_open_sessions_are_counted() -> None:
    transport = RecordingTransport()
    client = make_client(transport)
    seen: list[int] = []

    async def greeter(chat: ChatSession, websocket: WebSocket) -> None:
        seen.append(client.gauges.open_sessions)
        chat.bot_response("Hello! How can I help?")
        chat.conversation_end("handover")
        chat.conversation_end()  # nothing open: nothing sent
        await websocket.receive_text()

    run(client, socket_for([]), greeter)
    assert client.flush()
    assert seen == [1]
    types = [e["type"] for e in transport.events()]
    assert types == [
        "session_start",
        "conversation_start",
        "bot_response",
        "conversation_end",
        "session_end",
    ]
    assert transport.events()[2]["properties"]["latency_ms"] == 0.0
    assert transport.events()[3]["properties"] == {"status": "handover"}
    client.shutdown()
