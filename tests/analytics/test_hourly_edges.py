"""Counts read from the hourly table plus the raw log at a window's edges are exact to the second,
whatever part of an hour the window starts or ends in."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.helpers import READ, event, iso, post_events

BASE = (datetime.now(UTC) - timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
# Minutes after BASE (10:00): around and inside the windows below.
OFFSETS = (0, 5, 16.99, 17, 20, 59.99, 60, 90, 150, 162.5, 162.51, 170, 185, 240)
WINDOWS = (
    (17, 162.51),  # from 10:17 to 12:42:30.6: part hours at both ends, whole hours between
    (17, 45),  # inside one hour: no whole hour at all
    (0, 180),  # whole hours only
    (59.99, 60.01),  # across an hour's boundary, no whole hour
)


def _at(minutes: float) -> datetime:
    return BASE + timedelta(minutes=minutes)


@pytest.fixture
def sent(app_client: TestClient) -> list[dict[str, object]]:
    made = []
    for n, minutes in enumerate(OFFSETS):
        made.append(event("widget_open", at=_at(minutes), user=f"u{n}", session=f"s{n}"))
        made.append(
            event(
                "user_message",
                at=_at(minutes),
                user=f"u{n}",
                session=f"s{n}",
                conversation=f"c{n}",
                content="Which tyre fits?",
            )
        )
    post_events(app_client, made)
    return made


@pytest.mark.parametrize(("start", "end"), WINDOWS)
def test_events_and_overview_count_to_the_edge(
    app_client: TestClient, sent: list[dict[str, object]], start: float, end: float
) -> None:
    inside = [m for m in OFFSETS if start <= m < end]
    params = {"from": iso(_at(start)), "to": iso(_at(end)), "interval": "hour"}
    hours = Counter(_at(m).replace(minute=0, second=0, microsecond=0) for m in inside)

    answer = app_client.get("/analytics/events", params=params, headers=READ).json()
    assert {t["type"]: t["count"] for t in answer["by_type"]} == (
        {"widget_open": len(inside), "user_message": len(inside)} if inside else {}
    )
    series = {datetime.fromisoformat(b["bucket"]): b["events"] for b in answer["series"]}
    assert {at.replace(tzinfo=None): n for at, n in series.items() if n} == {
        at.replace(tzinfo=None): 2 * n for at, n in hours.items()
    }

    overview = app_client.get("/analytics/", params=params, headers=READ).json()
    assert overview["total_messages"] == overview["total_questions"] == len(inside)
    assert overview["total_chatbot_opens"] == len(inside)
    by_bucket = {datetime.fromisoformat(b["bucket"]): b["messages"] for b in overview["series"]}
    assert {at.replace(tzinfo=None): n for at, n in by_bucket.items() if n} == {
        at.replace(tzinfo=None): n for at, n in hours.items()
    }
