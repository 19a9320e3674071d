"""The engagement score on /analytics/user/{id} and GET /analytics/opportunities, on every database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from chatlytics.store.timing import utcnow
from tests.analytics.growth import expected
from tests.analytics.growth.conftest import Loaded
from tests.analytics.growth.scenario import Event
from tests.analytics.support import assert_matches, get
from tests.helpers import post_events


def test_every_users_engagement(loaded: Loaded) -> None:
    events = loaded.scenario.events
    for user in sorted({e.user_id for e in expected.visible(events)}):
        answer = get(loaded.client, f"/analytics/user/{user}")
        parts = expected.components(events, user)
        assert answer["engagement_components"] == parts, user
        assert answer["engagement_score"] == expected.score(parts), user


CRITERIA = [
    {},
    {"threshold": "0"},
    {"threshold": "100", "min_interest": "1"},
    {"threshold": "25", "min_interest": "5", "min_repeat": "3"},
]


@pytest.mark.parametrize("criteria", CRITERIA)
def test_opportunities(loaded: Loaded, criteria: dict[str, str]) -> None:
    numbers = {k: int(v) for k, v in criteria.items()}
    for ask in loaded.asks():
        answer = get(loaded.client, "/analytics/opportunities", **ask.params, **criteria)
        want = expected.opportunities(loaded.scenario.events, ask.start, ask.end, **numbers)
        assert_matches(answer, want, ask.name)


def test_the_scenario_covers_every_case(loaded: Loaded) -> None:
    events = loaded.scenario.events
    users = {e.user_id for e in expected.visible(events)}
    parts = {u: expected.components(events, u) for u in users}
    assert any(p["session_seconds"] >= 3600 for p in parts.values()), "the time cap"
    assert any(p["session_seconds"] % 3600 >= 300 for p in parts.values())
    assert expected.points(parts["h-heavy"]) > 100, "cut to 100"
    assert expected.points(parts["h-grumpy"]) < 0, "cut to 0"
    ratings = {e.properties["rating"] for e in events if e.type == "feedback"}
    assert ratings == {-1, 1, 2, 3, 4, 5}
    ask = loaded.asks()[0]
    found = expected.opportunities(events, ask.start, ask.end)["opportunities"]
    reasons = {r for o in found for r in o["reasons"]}
    assert reasons == {"engaged_without_lead", "product_interest", "repeated_product_interest"}
    assert any(o["has_lead"] for o in found)
    assert not all(o["has_lead"] for o in found)
    # Visitors without a session started in the range are summed apart from the others.
    cut = next(ask for ask in loaded.asks() if ask.name == "cut")
    flagged = expected.opportunities(events, cut.start, cut.end)["opportunities"]
    idle = [o for o in flagged if o["engagement_components"]["sessions"] == 0]
    assert any(o["has_lead"] for o in idle), "a lead and product interest, no session"
    assert any(not o["has_lead"] for o in idle), "product interest alone"
    scores = [o["engagement_score"] for o in found]
    assert len(scores) > len(set(scores)), "equal scores, ranked by user id"


def test_at_most_fifty_opportunities(app_client: TestClient) -> None:
    """Sixty visitors interested in products, many with the same score: the first fifty by score
    and user id are listed, all sixty are counted."""
    start = utcnow().replace(microsecond=0) - timedelta(days=2)
    events = []
    for n in range(60):
        user, at = f"fan-{59 - n:02d}", start + timedelta(minutes=n)
        for k in range(3):
            events.append(
                Event(
                    f"f-{n}-{k}", "product_interest", user, f"fs-{n}", at, {"product_name": f"P{k}"}
                )
            )
        for k in range(n % 4):
            events.append(
                Event(f"m-{n}-{k}", "user_message", user, f"fs-{n}", at, {"content": "q"})
            )
    post_events(app_client, [e.wire() for e in events])
    window = {"from": (start - timedelta(days=1)).isoformat(), "to": utcnow().isoformat()}
    answer = get(app_client, "/analytics/opportunities", **window)
    want = expected.opportunities(events, start - timedelta(days=1), utcnow())
    assert answer["total_flagged"] == 60
    assert_matches(answer, want)
