"""from / to / interval: what they mean at the edges, and a 422 with the reason when they are bad."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient

from chatlytics.store.timing import utcnow
from tests.analytics.support import get, zulu
from tests.helpers import READ, event, post_events

RANGED = [
    "/analytics/",
    "/analytics/sessions",
    "/analytics/conversations",
    "/analytics/messages",
    "/analytics/leads",
    "/analytics/human_handover",
    "/analytics/events",
]
SERIES = ["/analytics/", "/analytics/events"]

BAD_ANYWHERE = [
    ({"from": "yesterday"}, "from", "ISO 8601"),
    ({"to": "2026-13-01"}, "to", "ISO 8601"),
    ({"from": "2026-11-01T25:00:00"}, "from", "ISO 8601"),
    ({"from": "2026-11-02", "to": "2026-11-01"}, "from", "before to"),
    ({"from": "2026-11-01", "to": "2026-11-01"}, "from", "before to"),
    ({"from": "2026-11-01T10:00:00+01:00", "to": "2026-11-01T09:00:00Z"}, "from", "before to"),
    ({"from": "0999-12-31"}, "from", "outside"),
    ({"to": "1000-01-01"}, "to", "before to"),  # no `from` given: `to` is the one to mend
]
BAD_SERIES = [
    ({"interval": "month"}, "interval", "hour"),
    ({"interval": ""}, "interval", "hour"),
    # 8784 hours, and 5001 days.
    ({"from": "2020-01-01", "to": "2020-12-31", "interval": "hour"}, "interval", "5000"),
    ({"from": "2000-01-01", "to": "2013-09-10", "interval": "day"}, "interval", "longer interval"),
    (
        {"from": "1000-01-01", "to": "9999-01-01", "interval": "week"},
        "interval",
        "5000 are served: use a shorter range",
    ),
]


def reason(response: Any, field: str) -> str:
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    mine = [e for e in errors if e["loc"][-1] == field]
    assert mine, errors
    return str(mine[0]["msg"])


@pytest.mark.usefixtures("sqlite_only")
@pytest.mark.parametrize("path", RANGED)
@pytest.mark.parametrize(("params", "field", "says"), BAD_ANYWHERE)
def test_bad_window_is_422_with_the_reason(
    app_client: TestClient, path: str, params: dict[str, str], field: str, says: str
) -> None:
    response = app_client.get(path, params=params, headers=READ)
    assert says in reason(response, field)


@pytest.mark.usefixtures("sqlite_only")
@pytest.mark.parametrize("path", SERIES)
@pytest.mark.parametrize(("params", "field", "says"), BAD_SERIES)
def test_bad_series_is_422_with_the_reason(
    app_client: TestClient, path: str, params: dict[str, str], field: str, says: str
) -> None:
    response = app_client.get(path, params=params, headers=READ)
    assert says in reason(response, field)


@pytest.mark.usefixtures("sqlite_only")
def test_bucket_limit_is_inclusive(app_client: TestClient) -> None:
    start = datetime(2026, 1, 1)
    fits = {"from": start.isoformat(), "to": (start + timedelta(hours=5000)).isoformat()}
    assert len(get(app_client, "/analytics/events", **fits, interval="hour")["series"]) == 5000
    over = {**fits, "to": (start + timedelta(hours=5000, seconds=1)).isoformat()}
    response = app_client.get(
        "/analytics/events", params={**over, "interval": "hour"}, headers=READ
    )
    assert "5001" in reason(response, "interval")


@pytest.mark.usefixtures("sqlite_only")
def test_leads_count_daily_buckets_whatever_the_interval(app_client: TestClient) -> None:
    long = {"from": "2000-01-01", "to": "2020-01-01"}
    assert app_client.get("/analytics/leads", params=long, headers=READ).status_code == 422
    # Figures without a series take any window.
    answer = get(app_client, "/analytics/sessions", **long)
    assert answer["total_sessions"] == 0


def test_edges_of_the_window(app_client: TestClient) -> None:
    """`from` is inclusive, `to` exclusive; a date is its 00:00 UTC; an offset is converted."""
    midnight = (utcnow() - timedelta(days=3)).replace(hour=0, minute=0, second=0, microsecond=0)
    post_events(
        app_client,
        [
            event("session_start", at=midnight.replace(tzinfo=UTC), session="edge"),
            event(
                "user_message",
                at=midnight.replace(tzinfo=UTC),
                session="edge",
                conversation="c-edge",
                content="at midnight",
            ),
            event(
                "user_message",
                at=(midnight - timedelta(microseconds=1)).replace(tzinfo=UTC),
                session="early",
                conversation="c-early",
                content="just before",
            ),
        ],
    )
    day, before = midnight.date().isoformat(), (midnight.date() - timedelta(days=1)).isoformat()
    plus_one = timezone(timedelta(hours=1))
    cases = [
        ({"from": day, "to": zulu(midnight + timedelta(hours=1))}, 1),
        ({"from": before, "to": day}, 1),  # only the one a microsecond before midnight
        ({"from": before, "to": zulu(midnight + timedelta(microseconds=1))}, 2),
        ({"from": zulu(midnight, plus_one), "to": zulu(midnight + timedelta(hours=1))}, 1),
        (
            {
                "from": zulu(midnight + timedelta(microseconds=1)),
                "to": zulu(midnight + timedelta(1)),
            },
            0,
        ),
        # Naive means UTC.
        ({"from": midnight.isoformat(), "to": (midnight + timedelta(hours=1)).isoformat()}, 1),
    ]
    for params, messages in cases:
        assert get(app_client, "/analytics/messages", **params)["total_messages"] == messages, (
            params
        )
    # A `+` left unencoded in a query string arrives as a space, and still means an offset.
    raw = f"/analytics/messages?from={day}T01:00:00+01:00&to={day}T05:00:00Z"
    response = app_client.get(raw, headers=READ)
    assert response.status_code == 200, response.text
    assert response.json()["total_messages"] == 1
    sessions = get(app_client, "/analytics/sessions", **{"from": before, "to": zulu(midnight)})
    assert [s["session_id"] for s in sessions["recent_sessions"]] == ["early"]
    assert get(app_client, "/analytics/sessions", **{"from": day})["total_sessions"] == 1


def test_default_window_is_the_last_30_days(app_client: TestClient) -> None:
    now = utcnow()
    post_events(
        app_client,
        [
            event(
                "user_message",
                at=(now - timedelta(days=29, hours=23)).replace(tzinfo=UTC),
                session="in",
                conversation="c-in",
                content="in",
            ),
            event(
                "user_message",
                at=(now - timedelta(days=30, hours=1)).replace(tzinfo=UTC),
                session="out",
                conversation="c-out",
                content="out",
            ),
        ],
    )
    assert get(app_client, "/analytics/messages")["total_messages"] == 1
    series = get(app_client, "/analytics/")["series"]
    assert len(series) == 31
    assert series[-1]["bucket"] == now.replace(hour=0, minute=0, second=0, microsecond=0)
