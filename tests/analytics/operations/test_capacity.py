"""GET /analytics/capacity answers what the scenario's own events imply, on every database."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from fastapi.testclient import TestClient

from chatlytics.analytics.capacity import fit
from chatlytics.store.timing import utcnow
from tests.analytics.operations import expected_business as expected
from tests.analytics.operations.conftest import Loaded
from tests.analytics.support import assert_matches, get, windows, zulu
from tests.helpers import event, post_events


@pytest.mark.parametrize("horizon", [1, 4])
def test_capacity(loaded: Loaded, horizon: int) -> None:
    now = loaded.scenario.now
    for ask in windows(loaded.scenario):
        answer = get(loaded.client, "/analytics/capacity", **ask.params, horizon=str(horizon))
        want = expected.capacity(loaded.facts, ask.start, ask.end, now, horizon, utcnow())
        assert_matches(answer, want, ask.name)


def test_a_month_has_a_trend(loaded: Loaded) -> None:
    ask = windows(loaded.scenario)[2]  # 30 days: at least three complete weeks
    answer = get(loaded.client, "/analytics/capacity", **ask.params)
    assert answer["growth"]["slope_per_week"] is not None
    assert len(answer["growth"]["projection"]) == 4


def test_sessions_that_touch_overlap(app_client: TestClient) -> None:
    """A session ending at the instant another starts is present with it; so is a single event."""
    t = (utcnow() - timedelta(days=2)).replace(microsecond=0, tzinfo=UTC)
    post_events(
        app_client,
        [
            event("session_start", at=t, session="a"),
            event("session_end", at=t + timedelta(minutes=5), session="a", status="completed"),
            event("session_start", at=t + timedelta(minutes=5), session="b"),
            event("session_end", at=t + timedelta(minutes=9), session="b", status="completed"),
            event("page_view", at=t + timedelta(minutes=9), session="c"),
        ],
    )
    window = {"from": zulu(t.replace(tzinfo=None) - timedelta(hours=1)), "to": zulu(utcnow())}
    answer = get(app_client, "/analytics/capacity", **window)
    assert answer["peak_concurrent_sessions"] == 2
    assert answer["peak_at"] == (t + timedelta(minutes=5)).replace(tzinfo=None)


def test_weeks_not_over_are_left_out_of_the_trend(app_client: TestClient) -> None:
    """A range that runs into the future: the week under way and those after it are not complete,
    so ten steady weeks followed by empty ones still give a flat line."""
    now = utcnow()
    this_monday = (now - timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    first = this_monday - timedelta(weeks=10)
    post_events(
        app_client,
        [
            event(
                "session_start",
                at=(first + timedelta(weeks=w, days=2)).replace(tzinfo=UTC),
                session=f"s{w}-{n}",
            )
            for w in range(10)
            for n in range(3)
        ],
    )
    window = {"from": zulu(first), "to": zulu(this_monday + timedelta(weeks=3))}
    growth = get(app_client, "/analytics/capacity", **window)["growth"]
    assert [w["complete"] for w in growth["weeks"]] == [True] * 10 + [False] * 3
    assert [w["sessions"] for w in growth["weeks"]] == [3] * 10 + [0] * 3
    assert growth["slope_per_week"] == 0
    assert [p["sessions"] for p in growth["projection"]] == [3] * 4
    assert growth["projection"][0]["week"] == this_monday.date().isoformat()


@pytest.mark.usefixtures("sqlite_only")
def test_fit() -> None:
    assert fit([5]) is None
    assert fit([1, 3, 5]) == (2.0, 1.0)
