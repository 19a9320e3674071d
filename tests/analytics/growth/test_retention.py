"""GET /analytics/retention answers the cohorts the scenario's events imply, on every database."""

from __future__ import annotations

import pytest

from tests.analytics.growth import expected
from tests.analytics.growth.conftest import Loaded
from tests.analytics.support import assert_matches, get


@pytest.mark.parametrize("period", ["day", "week"])
def test_retention(loaded: Loaded, period: str) -> None:
    for ask in loaded.asks():
        answer = get(loaded.client, "/analytics/retention", **ask.params, period=period)
        want = expected.retention(loaded.scenario.events, ask.start, ask.end, period)
        assert_matches(answer, want, ask.name)


def test_weeks_by_default(loaded: Loaded) -> None:
    ask = loaded.asks()[1]
    answer = get(loaded.client, "/analytics/retention", **ask.params)
    assert answer["period"] == "week"
    assert [c["cohort"] for c in answer["cohorts"]] == [
        c["cohort"]
        for c in expected.retention(loaded.scenario.events, ask.start, ask.end, "week")["cohorts"]
    ]


def test_the_scenario_covers_every_case(loaded: Loaded) -> None:
    events, monday = loaded.scenario.events, loaded.scenario.monday
    first = expected.first_seen(events)
    assert any(t < monday for t in first.values()), "users first seen before the four weeks"
    weekly = expected.retention(events, monday, loaded.asks()[1].end, "week")["cohorts"]
    assert any(n for c in weekly for n in c["returning"][1:]), "users who came back"
