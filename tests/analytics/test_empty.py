"""With nothing in the window, every figure is zero (or null where there is nothing to measure)."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from fastapi.testclient import TestClient

from chatlytics.store.timing import utcnow
from tests.analytics.support import get
from tests.helpers import event, post_events

MONDAY = (utcnow() - timedelta(weeks=3)).replace(hour=0, minute=0, second=0, microsecond=0)
MONDAY -= timedelta(days=MONDAY.weekday())
WINDOW = {"from": MONDAY.date().isoformat(), "to": (MONDAY + timedelta(weeks=1)).date().isoformat()}
DAYS = [MONDAY + timedelta(days=n) for n in range(7)]


@pytest.fixture(params=["empty database", "data elsewhere"])
def client(request: pytest.FixtureRequest, app_client: TestClient) -> TestClient:
    if request.param == "data elsewhere":
        outside = DAYS[-1].replace(tzinfo=UTC) + timedelta(days=1)  # just after the window
        post_events(
            app_client,
            [
                event("session_start", at=outside, session="s"),
                event("widget_open", at=outside, session="s"),
                event("user_message", at=outside, session="s", conversation="c", content="hi"),
                event(
                    "bot_response",
                    at=outside,
                    session="s",
                    conversation="c",
                    content="yo",
                    latency_ms=12.5,
                ),
                event("lead_submitted", at=outside, session="s", lead_type="demo"),
                event(
                    "handover_requested",
                    at=outside,
                    session="s",
                    issues=["x"],
                    support_option="email",
                ),
                event("error", at=outside, session="s", kind="k", message="m"),
            ],
        )
    return app_client


def test_overview(client: TestClient) -> None:
    answer = get(client, "/analytics/", **WINDOW)
    assert {k: v for k, v in answer.items() if k not in ("series", "active_sessions")} == {
        "total_users": 0,
        "new_users": 0,
        "returning_users": 0,
        "total_sessions": 0,
        "avg_session_duration": 0.0,
        "total_conversations": 0,
        "total_messages": 0,
        "total_questions": 0,
        "total_chatbot_opens": 0,
        "total_chatbot_closes": 0,
        "avg_time_spent_seconds": 0.0,
        "total_leads": 0,
        "total_handovers": 0,
        "total_errors": 0,
        "error_rate": 0.0,
    }
    assert answer["series"] == [
        {
            "bucket": day,
            "sessions": 0,
            "conversations": 0,
            "messages": 0,
            "leads": 0,
            "handovers": 0,
        }
        for day in DAYS
    ]
    weekly = get(client, "/analytics/", **WINDOW, interval="week")["series"]
    assert [b["bucket"] for b in weekly] == [DAYS[0]]


def test_sessions_and_conversations(client: TestClient) -> None:
    sessions = get(client, "/analytics/sessions", **WINDOW)
    assert sessions["total_sessions"] == sessions["active_sessions"] == 0
    assert sessions["completed_sessions"] == sessions["error_sessions"] == 0
    assert sessions["average_duration"] == 0.0
    assert sessions["recent_sessions"] == []
    conversations = get(client, "/analytics/conversations", **WINDOW)
    assert conversations["total_conversations"] == conversations["total_messages"] == 0
    assert conversations["completion_rate"] == 0.0
    assert conversations["average_duration"] == 0.0
    assert conversations["recent_conversations"] == []


def test_messages(client: TestClient) -> None:
    answer = get(client, "/analytics/messages", **WINDOW)
    assert answer["total_messages"] == answer["bot_messages"] == answer["user_messages"] == 0
    assert answer["response_time_ms"] == {
        "count": 0,
        "avg": None,
        "p50": None,
        "p90": None,
        "p99": None,
        "histogram": [
            {"le_ms": bound, "count": 0}
            for bound in (250.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0, None)
        ],
    }
    assert answer["fallback_rate"] == 0.0
    assert answer["recent_messages"] == []


def test_leads_handovers_events(client: TestClient) -> None:
    leads = get(client, "/analytics/leads", **WINDOW)
    assert leads["total_leads"] == 0
    assert leads["by_type"] == leads["recent_leads"] == []
    assert leads["daily_leads"] == [{"date": d.date().isoformat(), "count": 0} for d in DAYS]
    handovers = get(client, "/analytics/human_handover", **WINDOW)
    assert handovers == {
        "total_handover": 0,
        "by_support_option": [],
        "by_issue": [],
        "recent_handover": [],
    }
    events = get(client, "/analytics/events", **WINDOW, interval="hour")
    assert events["total_events"] == 0
    assert events["by_type"] == []
    assert [b["events"] for b in events["series"]] == [0] * 7 * 24
