"""GET /analytics/performance answers what the scenario's own events imply, on every database."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.analytics.operations import expected
from tests.analytics.operations.conftest import Loaded
from tests.analytics.support import assert_matches, get, windows
from tests.helpers import event, iso, post_events


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


def test_a_reply_closed_twice_in_the_minute_counts_once(app_client: TestClient) -> None:
    """Several closes after one reply (at the same moment or not) abandon it once; a question in
    between, or a close after the minute, does not."""
    base = (datetime.now(UTC) - timedelta(hours=3)).replace(microsecond=0)
    cases = {  # session: (reply latency ms, closes s after the reply, question s after it)
        "s-same": (400.0, (10, 10), None),
        "s-apart": (1500.0, (5, 30), None),
        "s-late": (4000.0, (5, 90), None),
        "s-spoke": (12000.0, (20, 40), 10),
        "s-after": (800.0, (70, 80), None),
    }
    sent = []
    for n, (session, (latency, closes, question)) in enumerate(cases.items()):
        at = base + timedelta(minutes=10 * n)
        chat = {"user": f"u-{session}", "session": session, "conversation": f"c-{session}"}
        sent.append(event("bot_response", at=at, content="hi", latency_ms=latency, **chat))
        if question is not None:
            sent.append(
                event("user_message", at=at + timedelta(seconds=question), content="?", **chat)
            )
        for k, seconds in enumerate(closes):
            sent.append(
                event(
                    "widget_close",
                    at=at + timedelta(seconds=seconds),
                    user=chat["user"],
                    session=session,
                    event_id=f"close-{session}-{k}",
                    time_spent_seconds=float(seconds),
                )
            )
    post_events(app_client, sent)

    gone: Counter[str] = Counter()
    replies: Counter[str] = Counter()
    for latency, closes, question in cases.values():
        name = expected._latency_class(latency)
        replies[name] += 1
        gone[name] += any(s <= 60 and (question is None or question >= s) for s in closes)
    params = {"from": iso(base - timedelta(hours=1)), "to": iso(base + timedelta(hours=2))}
    answer = get(app_client, "/analytics/performance", **params)
    assert {
        row["latency"]: (row["replies"], row["abandoned"]) for row in answer["abandonment"]
    } == {name: (replies[name], gone[name]) for name, _, _ in expected.CLASSES_ALL}
    assert sum(gone.values()) == 3
