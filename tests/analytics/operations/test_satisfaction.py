"""GET /analytics/satisfaction answers what the scenario's own events imply, on every database."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from fastapi.testclient import TestClient

from chatlytics.store.timing import utcnow
from tests.analytics.operations import expected_business as expected
from tests.analytics.operations.conftest import Loaded
from tests.analytics.support import assert_matches, get, windows
from tests.helpers import event, post_events


@pytest.mark.parametrize("scale", ["auto", "thumbs", "stars"])
def test_satisfaction(loaded: Loaded, scale: str) -> None:
    now = loaded.scenario.now
    for ask in windows(loaded.scenario):
        answer = get(loaded.client, "/analytics/satisfaction", **ask.params, scale=scale)
        want = expected.satisfaction(loaded.facts, ask.start, ask.end, now, scale)
        assert_matches(answer, want, ask.name)


def test_thumbs_only_reads_one_as_a_thumbs_up(app_client: TestClient) -> None:
    at = (utcnow() - timedelta(hours=2)).replace(tzinfo=UTC)
    post_events(
        app_client,
        [
            event("feedback", at=at, rating=1, conversation="c1"),
            event("feedback", at=at, rating=1),
            event("feedback", at=at, rating=-1, conversation="c1"),
        ],
    )
    answer = get(app_client, "/analytics/satisfaction")
    assert answer["scale"] == "thumbs"
    assert answer["thumbs"] == {"up": 2, "down": 1}
    assert answer["csat"] == pytest.approx(2 / 3)
    unknown = [o for o in answer["by_outcome"] if o["outcome"] == "unknown"]
    assert unknown == [{"outcome": "unknown", "ratings": 1, "positive": 1, "csat": 1.0}]
