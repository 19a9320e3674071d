"""GET /analytics/pain_points answers what the scenario's own events imply, on every database."""

from __future__ import annotations

from typing import Any

from tests.analytics.operations import expected
from tests.analytics.operations.conftest import Loaded
from tests.analytics.support import assert_matches, get, windows

OFFICE = {"start": 9, "end": 17, "days": {1, 2, 3, 4, 5}, "tz": "UTC"}


def test_pain_points(loaded: Loaded) -> None:
    now = loaded.scenario.now
    for ask in windows(loaded.scenario):
        answer = get(loaded.client, "/analytics/pain_points", **ask.params)
        want = expected.pain_points(loaded.facts, ask.start, ask.end, now, OFFICE, 20)
        assert_matches(answer, want, ask.name)


def test_business_hours_and_limit(loaded: Loaded) -> None:
    hours: dict[str, Any] = {"start": 8, "end": 20, "days": {1, 3, 6, 7}, "tz": "Asia/Kolkata"}
    ask = windows(loaded.scenario)[0]
    answer = get(
        loaded.client,
        "/analytics/pain_points",
        **ask.params,
        business_start="8",
        business_end="20",
        business_days="1,3,6-7",
        business_tz="Asia/Kolkata",
        limit="2",
    )
    want = expected.pain_points(loaded.facts, ask.start, ask.end, loaded.scenario.now, hours, 2)
    assert_matches(answer, want)


def test_the_scenario_reaches_every_case(loaded: Loaded) -> None:
    ask = windows(loaded.scenario)[0]
    want = expected.pain_points(loaded.facts, ask.start, ask.end, loaded.scenario.now, OFFICE, 20)
    assert want["fallback_exits"]["abandoned_after_fallback"] > 0
    assert any(q["example"] != q["question"] for q in want["repeated_questions"])
    quality = want["handover_quality"]
    assert 0 < quality["outside_business_hours"] < quality["handover_requests"]
    assert quality["timed_handovers"] > 1
