"""GET /analytics/conversation/{id}: the conversation's row and its messages, oldest first.

The expectations are written out by hand from the events below, not computed by project code.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from chatlytics.analytics.status import Clock
from chatlytics.analytics.transcript import conversation_transcript
from chatlytics.store.database import Database
from chatlytics.store.timing import utcnow
from tests.analytics.support import get, store
from tests.helpers import ADMIN, READ, WRITE, event, post_events

T0 = (utcnow() - timedelta(hours=3)).replace(microsecond=0)
CID = "c/1 with space"  # a slash and a space: the id is the rest of the path, percent-encoded
MINE = {"session": "s-1", "user": "u-1", "conversation": CID}


def at(seconds: float) -> datetime:
    """T0 + seconds, naive UTC (as the answers are parsed)."""
    return T0 + timedelta(seconds=seconds)


def _aware(seconds: float) -> datetime:
    return at(seconds).replace(tzinfo=UTC)


def conversation_events() -> list[dict[str, Any]]:
    """c/1: six messages (two at the same instant), a fallback, a system message, an end; c-2 beside it."""
    mine = MINE
    other = {"session": "s-1", "user": "u-1", "conversation": "c-2"}
    return [
        event("session_start", at=_aware(0), session="s-1", user="u-1", event_id="e-00"),
        event("conversation_start", at=_aware(1), event_id="e-01", **mine),
        event(
            "user_message",
            at=_aware(5),
            event_id="e-02",
            message_id="m-q1",
            content="Do you have 205/55 R16 in stock?",
            **mine,
        ),
        event(
            "bot_response",
            at=_aware(7.25),
            event_id="e-03",
            content="Yes, 14 in stock.",
            latency_ms=850.5,
            model="tyre-bot-1",
            tokens_in=120,
            tokens_out=14,
            cost=0.0021,
            **mine,
        ),
        event("user_message", at=_aware(6), event_id="e-20", content="other chat", **other),
        # Two messages at the same instant: event_id decides, e-05 before e-06.
        event("user_message", at=_aware(20), event_id="e-06", content="And fitting?", **mine),
        event("system_message", at=_aware(20), event_id="e-05", content="typing…", **mine),
        event(
            "bot_response",
            at=_aware(22),
            event_id="e-07",
            content="Sorry, I did not get that.",
            latency_ms=1200,
            fallback=True,
            **mine,
        ),
        event("conversation_end", at=_aware(30), event_id="e-08", status="completed", **mine),
    ]


LATE = event("user_message", at=_aware(3), event_id="e-99", content="hello <b>there</b>", **MINE)

# (event_id, message_id, type, content, latency_ms, fallback), in transcript order.
EXPECTED_MESSAGES = [
    ("e-99", "e-99", "user", "hello <b>there</b>", None, False),
    ("e-02", "m-q1", "user", "Do you have 205/55 R16 in stock?", None, False),
    ("e-03", "e-03", "bot", "Yes, 14 in stock.", 850.5, False),
    ("e-05", "e-05", "system", "typing…", None, False),
    ("e-06", "e-06", "user", "And fitting?", None, False),
    ("e-07", "e-07", "bot", "Sorry, I did not get that.", 1200.0, True),
]


def path(conversation_id: str) -> str:
    return "/analytics/conversation/" + quote(conversation_id, safe="/")


def test_the_transcript_is_in_order(app_client: TestClient) -> None:
    post_events(app_client, conversation_events())
    post_events(app_client, [LATE])  # arrives last, happened early: placed by its time
    answer = get(app_client, path(CID))
    assert {k: v for k, v in answer.items() if k != "messages"} == {
        "conversation_id": CID,
        "session_id": "s-1",
        "user_id": "u-1",
        "started_at": at(1),
        "last_event_at": at(30),
        "ended_at": at(30),
        "timed_out": False,
        "status": "completed",
        "end_status": "completed",
        "duration_seconds": 29,
        "message_count": 6,
        "user_message_count": 3,
        "bot_message_count": 2,
        "fallback_count": 1,
        "truncated": False,
    }
    got = [
        (
            m["event_id"],
            m["message_id"],
            m["message_type"],
            m["content"],
            m["latency_ms"],
            m["fallback"],
        )
        for m in answer["messages"]
    ]
    assert got == EXPECTED_MESSAGES
    first_bot = answer["messages"][2]
    assert first_bot["created_at"] == at(7.25)
    assert (first_bot["model"], first_bot["tokens_in"], first_bot["tokens_out"]) == (
        "tyre-bot-1",
        120,
        14,
    )
    assert first_bot["cost"] == pytest.approx(0.0021)
    assert {m["conversation_id"] for m in answer["messages"]} == {CID}


def test_an_open_conversation_without_messages(app_client: TestClient) -> None:
    post_events(app_client, [event("conversation_start", conversation="c-new", at=_aware(0))])
    answer = get(app_client, path("c-new"))
    assert answer["messages"] == []
    assert answer["message_count"] == 0
    # Started three hours ago and silent since: timed out, like in /analytics/conversations.
    assert (answer["status"], answer["timed_out"], answer["duration_seconds"]) == (
        "completed",
        True,
        0,
    )


def test_unknown_conversation_is_404(app_client: TestClient) -> None:
    response = app_client.get(path("c-9"), headers=READ)
    assert response.status_code == 404
    assert response.json() == {
        "detail": "unknown conversation 'c-9': no event of this conversation is stored"
    }


@pytest.mark.usefixtures("sqlite_only")
def test_it_needs_a_read_key(app_client: TestClient) -> None:
    assert app_client.get(path("c-9")).status_code == 401
    assert app_client.get(path("c-9"), headers=WRITE).status_code == 403
    assert app_client.get(path("c-9"), headers=ADMIN).status_code == 404


def test_a_long_conversation_keeps_its_latest_messages(db: Database) -> None:
    store(db, [*conversation_events(), LATE])
    clock = Clock(now=utcnow(), timeout_s=1800)
    with db.read() as conn:
        cut = conversation_transcript(conn, CID, clock, limit=2)
        whole = conversation_transcript(conn, CID, clock, limit=6)
    assert cut is not None
    assert whole is not None
    assert [m.event_id for m in cut.messages] == ["e-06", "e-07"]
    assert cut.truncated is True
    assert cut.message_count == 6
    assert [m.event_id for m in whole.messages] == [m[0] for m in EXPECTED_MESSAGES]
    assert whole.truncated is False
