"""GET /analytics/pain_points answers what the scenario's own events imply, on every database."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.analytics.operations import expected
from tests.analytics.operations.conftest import Loaded
from tests.analytics.support import assert_matches, get, windows
from tests.helpers import event, iso, post_events

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
    assert want["handover_quality"]["timed_handovers"] > 1


def test_requests_inside_and_outside_business_hours(loaded: Loaded) -> None:
    """Opening hours around the first request of the range, whatever the time of day the scenario
    was built at: some requests fall inside them, the others outside."""
    ask = windows(loaded.scenario)[0]
    first = min(e.at for e in loaded.scenario.events if e.type == "handover_requested")
    day, hour = first.isoweekday(), first.hour
    hours: dict[str, Any] = {"start": hour, "end": hour + 1, "days": {day}, "tz": "UTC"}
    answer = get(
        loaded.client,
        "/analytics/pain_points",
        **ask.params,
        business_start=str(hour),
        business_end=str(hour + 1),
        business_days=str(day),
    )
    want = expected.pain_points(loaded.facts, ask.start, ask.end, loaded.scenario.now, hours, 20)
    assert_matches(answer, want)
    quality = want["handover_quality"]
    assert 0 < quality["outside_business_hours"] < quality["handover_requests"]


def test_bot_turns_until_the_earlier_of_the_first_request_and_a_handover_end(
    app_client: TestClient,
) -> None:
    """With requests, without any, with a handover end before or after the first request: the
    bot replies at or before the earliest of them count."""
    base = (datetime.now(UTC) - timedelta(hours=3)).replace(microsecond=0)
    # conversation: (kind, seconds); kinds: b bot reply, r handover request, e conversation_end
    cases: dict[str, list[tuple[str, int]]] = {
        "c-request": [("b", 0), ("b", 10), ("r", 15), ("b", 20)],
        "c-ended": [("b", 0), ("b", 10), ("e", 12), ("b", 20)],
        "c-ended-first": [("b", 0), ("e", 5), ("b", 10), ("r", 20)],
        "c-request-first": [("b", 0), ("r", 5), ("b", 10), ("e", 20)],
        "c-requests": [("b", 0), ("r", 15), ("b", 10), ("r", 5)],
        "c-at-request": [("b", 0), ("b", 5), ("r", 5), ("b", 6)],
    }
    props: dict[str, tuple[str, dict[str, Any]]] = {
        "b": ("bot_response", {"content": "a", "latency_ms": 100.0}),
        "r": ("handover_requested", {"issues": ["x"], "support_option": "email"}),
        "e": ("conversation_end", {"status": "handover"}),
    }
    sent = []
    turns = []
    for n, (conversation, steps) in enumerate(cases.items()):
        at = base + timedelta(minutes=10 * n)
        chat = {"user": f"u-{conversation}", "session": f"s-{conversation}"}
        sent.append(event("conversation_start", at=at, conversation=conversation, **chat))
        for kind, seconds in steps:
            name, extra = props[kind]
            when = at + timedelta(seconds=seconds)
            sent.append(event(name, at=when, conversation=conversation, **chat, **extra))
        handed = min(s for kind, s in steps if kind != "b")
        turns.append(float(sum(kind == "b" and s <= handed for kind, s in steps)))
    post_events(app_client, sent)

    params = {"from": iso(base - timedelta(hours=1)), "to": iso(base + timedelta(hours=2))}
    quality = get(app_client, "/analytics/pain_points", **params)["handover_quality"]
    assert quality["handover_conversations"] == quality["timed_handovers"] == len(cases)
    assert quality["bot_turns_mean"] == statistics.fmean(turns)
    assert quality["bot_turns_median"] == statistics.median(turns)
    assert turns == [2.0, 2.0, 1.0, 1.0, 1.0, 2.0]
