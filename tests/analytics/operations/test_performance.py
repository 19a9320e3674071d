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


def abandonment(client: TestClient, base: datetime) -> dict[str, tuple[int, int]]:
    """(replies, abandoned) per latency class, over the hours around `base`."""
    params = {"from": iso(base - timedelta(hours=1)), "to": iso(base + timedelta(hours=2))}
    answer = get(client, "/analytics/performance", **params)
    return {row["latency"]: (row["replies"], row["abandoned"]) for row in answer["abandonment"]}


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
    assert abandonment(app_client, base) == {
        name: (replies[name], gone[name]) for name, _, _ in expected.CLASSES_ALL
    }
    assert sum(gone.values()) == 3


def test_a_reply_is_abandoned_by_the_first_close_after_it(app_client: TestClient) -> None:
    """Only a question strictly between a reply and the close keeps it; a question before or at
    the reply, or at the close, does not. A close before the reply (even at its moment) does not
    take it, and each reply goes with its own next close."""
    base = (datetime.now(UTC) - timedelta(hours=3)).replace(microsecond=0)
    # session: (kind, seconds, reply latency ms); kinds: r reply, q question, c close
    cases: dict[str, list[tuple[str, int, float]]] = {
        "s-asked-before": [("q", 0, 0), ("r", 5, 400.0), ("c", 15, 0)],
        "s-asked-with": [("q", 5, 0), ("r", 5, 1500.0), ("c", 15, 0)],
        "s-asked-at-close": [("r", 0, 4000.0), ("q", 10, 0), ("c", 10, 0)],
        "s-asked-between": [("r", 0, 12000.0), ("q", 5, 0), ("c", 10, 0)],
        "s-closed-before": [("c", 0, 0), ("r", 5, 400.0), ("c", 25, 0)],
        "s-closed-with": [("r", 0, 1500.0), ("c", 0, 0), ("c", 30, 0)],
        "s-two-replies": [("r", 0, 4000.0), ("c", 10, 0), ("r", 20, 12000.0), ("c", 40, 0)],
        "s-reply-again": [("r", 0, 400.0), ("q", 5, 0), ("r", 8, 1500.0), ("c", 20, 0)],
    }
    sent = []
    gone: Counter[str] = Counter()
    replies: Counter[str] = Counter()
    for n, (session, steps) in enumerate(cases.items()):
        at = base + timedelta(minutes=10 * n)
        chat = {"user": f"u-{session}", "session": session, "conversation": f"c-{session}"}
        for k, (kind, seconds, latency) in enumerate(steps):
            when = at + timedelta(seconds=seconds)
            if kind == "c":
                closed = f"close-{session}-{k}"
                spent = 1.0
                sent.append(
                    event(
                        "widget_close", at=when, event_id=closed, time_spent_seconds=spent, **chat
                    )
                )
            elif kind == "r":
                sent.append(event("bot_response", at=when, content="a", latency_ms=latency, **chat))
            else:
                sent.append(event("user_message", at=when, content="q", **chat))
        # The definition itself: a close within the minute, no question strictly in between.
        closes = [s for kind, s, _ in steps if kind == "c"]
        questions = [s for kind, s, _ in steps if kind == "q"]
        for kind, s, latency in steps:
            if kind != "r":
                continue
            replies[expected._latency_class(latency)] += 1
            gone[expected._latency_class(latency)] += any(
                s <= c <= s + 60 and not any(s < q < c for q in questions) for c in closes
            )
    post_events(app_client, sent)

    assert abandonment(app_client, base) == {
        name: (replies[name], gone[name]) for name, _, _ in expected.CLASSES_ALL
    }
    assert sum(gone.values()) == 8
