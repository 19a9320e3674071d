"""GET /analytics/performance answers what the scenario's own events imply, on every database."""

from __future__ import annotations

import pytest

from tests.analytics.operations import expected
from tests.analytics.operations.conftest import Loaded
from tests.analytics.support import assert_matches, get, windows


@pytest.mark.parametrize("interval", ["hour", "day", "week"])
@pytest.mark.parametrize("by", ["avg", "max"])
def test_performance(loaded: Loaded, interval: str, by: str) -> None:
    for ask in windows(loaded.scenario):
        answer = get(
            loaded.client, "/analytics/performance", **ask.params, interval=interval, slowest_by=by
        )
        want = expected.performance(loaded.facts, loaded.samples, ask.start, ask.end, interval, by)
        assert_matches(answer, want, ask.name)


def test_the_scenario_reaches_every_case(loaded: Loaded) -> None:
    """Guards the test itself: abandoned replies, ties among the slowest, gaps in the series."""
    ask = windows(loaded.scenario)[0]
    want = expected.performance(loaded.facts, loaded.samples, ask.start, ask.end, "hour", "max")
    assert all(row["abandoned"] for row in want["abandonment"])
    assert any(row["abandoned"] < row["replies"] for row in want["abandonment"])
    maxima = [row["max_latency_ms"] for row in want["slowest_conversations"]]
    assert len(set(maxima)) < len(maxima)
    assert any(row["p50"] is None for row in want["response_time_ms"])
    assert any(row["samples"] and row["cpu_percent"] is None for row in want["system"]) or any(
        row["samples"] > 1 for row in want["system"]
    )


def test_defaults_to_daily_buckets_and_the_mean(loaded: Loaded) -> None:
    ask = windows(loaded.scenario)[0]
    answer = get(loaded.client, "/analytics/performance", **ask.params)
    want = expected.performance(loaded.facts, loaded.samples, ask.start, ask.end, "day", "avg")
    assert_matches(answer, want)
