"""CHATLYTICS_LEGACY_ROUTES: the original widget's POST routes become catalogue events."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from chatlytics.app import create_app
from chatlytics.store.database import Database
from chatlytics.store.schema import chatbot_close_events, events, human_handover, lead_analytics
from chatlytics.store.schema import sessions as sessions_table
from tests.conftest import make_settings

CALLS = [
    ("leads", {"name": "Ada", "lead_type": "callback"}),
    (
        "human_handover",
        {
            "user_id": "u9",
            "session_id": "s9",
            "issues": ["price", "stock"],
            "other_text": "winter tyres",
            "support_option": "call",
            "requested_at": "2026-11-20T10:00:00",
            "last_message": "help",
        },
    ),
    (
        "chatbot_close",
        {
            "user_id": "u9",
            "session_id": "s9",
            "closed_at": "2026-11-20T10:05:00",
            "time_spent_seconds": 300,
            "last_user_message": "bye",
            "last_bot_message": "see you",
        },
    ),
    (
        "session_end",
        {"user_id": "u9", "session_id": "s9", "end_time": "2026-11-20T10:06:00", "duration": 360},
    ),
    (
        "user_left",
        {
            "user_id": "u8",
            "session_id": "s8",
            "reason": "tab closed",
            "timestamp": "2026-11-20T11:00:00Z",
        },
    ),
]


@pytest.fixture
def legacy_client(db: Database) -> Iterator[TestClient]:
    settings = make_settings(CHATLYTICS_LEGACY_ROUTES="true")
    with TestClient(create_app(settings, db=db)) as client:
        yield client


def rows(db: Database, table: sa.Table) -> list[sa.Row[tuple[object, ...]]]:
    with db.read() as conn:
        return list(conn.execute(sa.select(table)))


def test_each_route_becomes_one_event_and_resends_are_duplicates(
    legacy_client: TestClient, db: Database
) -> None:
    for route, body in CALLS:
        first = legacy_client.post(f"/analytics/{route}", json=body)
        assert first.status_code == 200, first.text
        assert first.json() == {"status": "success", "duplicate": False}
        again = legacy_client.post(f"/analytics/{route}", json=body)
        assert again.json() == {"status": "success", "duplicate": True}
    assert sorted(r.type for r in rows(db, events)) == sorted(
        ["lead_submitted", "handover_requested", "widget_close", "session_end", "session_end"]
    )
    (lead,) = rows(db, lead_analytics)
    assert (lead.name, lead.lead_type) == ("Ada", "callback")
    (handover,) = rows(db, human_handover)
    assert (handover.session_id, handover.support_option, handover.other_text) == (
        "s9",
        "call",
        "winter tyres",
    )
    assert str(handover.requested_at) == "2026-11-20 10:00:00"
    (close,) = rows(db, chatbot_close_events)
    assert (close.time_spent_seconds, close.last_bot_message) == (300, "see you")
    ended = {r.session_id: r for r in rows(db, sessions_table)}
    assert str(ended["s9"].ended_at) == "2026-11-20 10:06:00"
    assert ended["s8"].end_reason == "tab closed"


def test_a_bad_legacy_call_is_a_422_with_the_reason_and_kept(
    legacy_client: TestClient, db: Database
) -> None:
    response = legacy_client.post(
        "/analytics/chatbot_close", json={"user_id": "u1", "session_id": "s1"}
    )
    assert response.status_code == 422
    assert "time_spent_seconds" in response.json()["detail"]
    response = legacy_client.post("/analytics/leads", content=b"nope")
    assert response.status_code == 400
    assert len(rows(db, events)) == 0


def test_legacy_routes_are_off_by_default(app_client: TestClient) -> None:
    for route, body in CALLS:
        assert app_client.post(f"/analytics/{route}", json=body).status_code in (404, 405)
