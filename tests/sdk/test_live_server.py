"""End to end over real HTTP on loopback: the SDK and its WebSocket integration against the server.

Two uvicorn servers run in threads: chatlytics itself (on the test's database), and a tiny chat app
whose WebSocket handler uses `tracked_session`, driven by a real WebSocket client.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI, WebSocket
from websockets.sync.client import connect

from chatlytics import create_app
from chatlytics.sdk import Client, HttpTransport, tracked_session
from chatlytics.store.database import Database
from chatlytics.store.schema import events
from tests.conftest import make_settings
from tests.helpers import READ
from tests.sdk.fakes import wait_until
from tests.sdk.servers import serve

pytestmark = pytest.mark.usefixtures("sqlite_only")
ANSWERS = {"hi": "Hello! How can I help?", "do you ship to canada?": "Yes, in 5 to 7 days."}
FALLBACK = "Sorry, I did not get that."


def chat_app(client: Client) -> FastAPI:
    """A chatbot: answers two questions, falls back on anything else, fails on `boom`."""
    app = FastAPI()

    @app.websocket("/chat")
    async def chat(websocket: WebSocket) -> None:
        async with tracked_session(client, websocket) as session:
            while True:
                text = await websocket.receive_text()
                if text == "boom":
                    raise RuntimeError("model backend unreachable")
                session.user_message(text)
                answer = ANSWERS.get(text.lower())
                session.bot_response(answer or FALLBACK, fallback=answer is None, model="rules")
                await websocket.send_text(answer or FALLBACK)

    return app


@contextmanager
def analytics_server(db: Database, app_wrapper: Any = None) -> Iterator[str]:
    app = create_app(make_settings(), db=db)
    with serve(app_wrapper(app) if app_wrapper else app) as url:
        yield url


def figures(base_url: str, path: str) -> dict[str, Any]:
    response = httpx.get(f"{base_url}/analytics/{path}", headers=READ, timeout=10)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def converse(chat_url: str, query: str, texts: list[str]) -> list[str]:
    """A visitor's browser: connect, send each text and read the answer, then close."""
    replies = []
    url = chat_url.replace("http://", "ws://") + f"/chat?{query}"
    with connect(url, user_agent_header="Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0") as ws:
        for text in texts:
            ws.send(text)
            if text != "boom":
                replies.append(str(ws.recv(timeout=10)))
    return replies


def test_a_whole_chat_arrives_once_with_its_figures(db: Database) -> None:
    with analytics_server(db) as analytics:
        client = Client(analytics, "test-write", enabled=True, flush_interval=0.05)
        with serve(chat_app(client)) as chat:
            replies = converse(
                chat,
                "user_id=visitor-1&session_id=visit-1",
                ["hi", "Do you ship to Canada?", "asdf"],
            )
            assert replies == [ANSWERS["hi"], ANSWERS["do you ship to canada?"], FALLBACK]
            assert wait_until(lambda: client.gauges.open_sessions == 0)
        client.system_message("visitor-1", "visit-1", "late-note", "transcript archived")
        assert client.flush(timeout=10)
        sessions = figures(analytics, "sessions")
        messages = figures(analytics, "messages")
        stored = figures(analytics, "events")
    counts = client.counts()
    assert client.shutdown()

    assert (counts.sent, counts.failed, counts.dropped, counts.retried) == (11, 0, 0, 0)
    assert stored["total_events"] == 11
    assert (
        sessions["total_sessions"],
        sessions["completed_sessions"],
        sessions["error_sessions"],
    ) == (1, 1, 0)
    (row,) = sessions["recent_sessions"]
    assert (row["session_id"], row["user_id"], row["status"]) == (
        "visit-1",
        "visitor-1",
        "completed",
    )
    assert (row["end_source"], row["has_backend"], row["has_widget"]) == ("backend", True, False)
    assert row["message_count"] == 7
    assert (messages["user_messages"], messages["bot_messages"], messages["system_messages"]) == (
        3,
        3,
        1,
    )
    assert messages["fallback_messages"] == 1
    assert messages["response_time_ms"]["count"] == 3


def test_a_failing_handler_gives_an_error_session(db: Database) -> None:
    with analytics_server(db) as analytics:
        client = Client(analytics, "test-write", enabled=True, flush_interval=0.05)
        with serve(chat_app(client)) as chat:
            converse(chat, "user_id=visitor-2&session_id=visit-2", ["hi", "boom"])
            assert wait_until(lambda: client.gauges.open_sessions == 0)
        assert client.flush(timeout=10)
        sessions = figures(analytics, "sessions")
    assert client.shutdown()
    assert (sessions["total_sessions"], sessions["error_sessions"]) == (1, 1)
    assert sessions["recent_sessions"][0]["status"] == "error"


class Flaky:
    """In front of the real app: refuses the first POST with 503 and Retry-After: 1; lets the second
    be stored but answers 503 anyway (as when an answer is lost); then steps aside."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.plan = [("refuse", b"1"), ("store-then-fail", b"0")]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/v1/events" or not self.plan:
            await self.app(scope, receive, send)
            return
        action, retry_after = self.plan.pop(0)
        if action == "store-then-fail":

            async def swallow(message: Mapping[str, Any]) -> None:
                pass

            await self.app(scope, receive, swallow)
        headers = [(b"retry-after", retry_after)]
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"detail": "try later"}'})


class Spy(HttpTransport):
    """The real transport, remembering each answer's status and body."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.answers: list[tuple[int, bytes, float]] = []

    def send(self, payload: bytes, headers: Mapping[str, str]) -> httpx.Response:
        response = super().send(payload, headers)
        self.answers.append((response.status_code, response.content, time.monotonic()))
        return response


def test_retries_through_503s_store_each_event_exactly_once(db: Database) -> None:
    with analytics_server(db, Flaky) as analytics:
        spy = Spy(f"{analytics}/v1/events")
        client = Client(analytics, "test-write", enabled=True, transport=spy, backoff_base=0.01)
        client.session_start("visitor-3", "visit-3")
        client.user_message("visitor-3", "visit-3", "conv-3", "hello?")
        client.session_end("visitor-3", "visit-3")
        assert client.flush(timeout=15)
        messages = figures(analytics, "messages")
    assert client.shutdown()

    statuses = [status for status, _, _ in spy.answers]
    assert statuses == [503, 503, 200]
    assert httpx.Response(200, content=spy.answers[2][1]).json() == {
        "accepted": 0,
        "duplicates": 3,
        "rejected": [],
        "discarded": 0,
    }
    assert spy.answers[1][2] - spy.answers[0][2] >= 1.0  # Retry-After: 1 honoured
    assert (client.sent, client.retried, client.failed) == (3, 6, 0)
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(events)).scalar_one() == 3
    assert messages["user_messages"] == 1


def test_a_wrong_write_key_is_refused_once_and_not_retried(db: Database) -> None:
    with analytics_server(db) as analytics:
        spy = Spy(f"{analytics}/v1/events")
        client = Client(analytics, "not-a-key", enabled=True, transport=spy, backoff_base=0.01)
        client.session_start("visitor-4", "visit-4")
        assert client.flush(timeout=10)
    assert client.shutdown()
    assert [status for status, _, _ in spy.answers] == [401]
    assert (client.sent, client.failed, client.retried) == (0, 1, 0)
