"""GET /analytics/funnel answers what the scenario's events imply, on every database."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chatlytics.analytics import funnel as funnel_module
from chatlytics.analytics.funnel import DEFAULT_STEPS, funnel
from chatlytics.analytics.range import Window
from tests.analytics.growth import expected
from tests.analytics.growth.conftest import Loaded
from tests.analytics.support import assert_matches, get

CASES = [
    ({}, list(DEFAULT_STEPS), "user", None),
    ({"by": "session"}, list(DEFAULT_STEPS), "session", None),
    ({"window": "3600"}, list(DEFAULT_STEPS), "user", timedelta(hours=1)),
    ({"window": "600", "by": "session"}, list(DEFAULT_STEPS), "session", timedelta(minutes=10)),
    (
        {"steps": "page_view, widget_open,lead_submitted"},
        ["page_view", "widget_open", "lead_submitted"],
        "user",
        None,
    ),
    (
        {"steps": "pricing.viewed,product_interest,conversion", "window": "86400"},
        ["pricing.viewed", "product_interest", "conversion"],
        "user",
        timedelta(days=1),
    ),
    (
        {"steps": "lead_submitted,user_message,feedback,widget_close"},
        ["lead_submitted", "user_message", "feedback", "widget_close"],
        "session",
        None,
    ),
]


@pytest.mark.parametrize(("params", "steps", "by", "within"), CASES)
def test_funnel(
    loaded: Loaded,
    params: dict[str, str],
    steps: list[str],
    by: str,
    within: timedelta | None,
) -> None:
    events = loaded.scenario.events
    if "by" not in params and by == "session":
        params = {**params, "by": by}
    for ask in loaded.asks():
        answer = get(loaded.client, "/analytics/funnel", **ask.params, **params)
        want = expected.funnel(events, ask.start, ask.end, steps, by, within)
        assert_matches(answer, want, ask.name)
        assert len(answer["steps"]) == len(steps)


@pytest.mark.parametrize("fetch_all_above", [0, 10**9])
@pytest.mark.parametrize("within", [None, timedelta(hours=1)])
def test_either_way_of_fetching_the_undecided_visitors(
    loaded: Loaded,
    monkeypatch: pytest.MonkeyPatch,
    fetch_all_above: int,
    within: timedelta | None,
) -> None:
    """Looked up by id, or picked out of one pass over the window: the same funnel."""
    monkeypatch.setattr(funnel_module, "FETCH_ALL_ABOVE", fetch_all_above)
    ask = loaded.asks()[0]
    answer = funnel(loaded.db, Window(ask.start, ask.end), DEFAULT_STEPS, within=within)
    want = expected.funnel(
        loaded.scenario.events, ask.start, ask.end, list(DEFAULT_STEPS), "user", within
    )
    assert_matches(answer.model_dump(), want)


def test_the_scenario_covers_every_case(loaded: Loaded) -> None:
    """The figures above are only worth what the scenario exercises."""
    events, steps = loaded.scenario.events, list(DEFAULT_STEPS)
    per: dict[str, dict[str, list[datetime]]] = {}
    for e in events:
        per.setdefault(e.user_id, {}).setdefault(e.type, []).append(e.at)

    def out_of_order(times: dict[str, list[datetime]]) -> bool:
        firsts = [min(times[s]) for s in steps if s in times]
        return firsts != sorted(firsts)

    # Visitors whose first events do not decide their path, so theirs are fetched and followed.
    assert sum(out_of_order(t) for t in per.values()) >= 3
    # A path that only a later start completes within the window.
    retry = per["h-retry"]
    assert len(expected.path_of(retry, steps, timedelta(hours=1))) == 3
    assert (
        len(
            expected.path_of(
                {**retry, "page_view": retry["page_view"][:1]}, steps, timedelta(hours=1)
            )
        )
        == 1
    )
    # A session whose page views lie on both sides of the "cut" range's start.
    cut = loaded.asks()[2]
    views = per["h-straddle"]["page_view"]
    assert min(views) < cut.start <= max(views) < cut.end
    # A step at the same instant as the one before it.
    assert per["h-tie"]["page_view"] == per["h-tie"]["widget_open"]
    ask = loaded.asks()[0]
    assert all(s["count"] > 0 for s in expected.funnel(events, ask.start, ask.end, steps)["steps"])
    assert any(e.at.microsecond for e in events)
