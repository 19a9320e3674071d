"""Satisfaction, ROI and capacity as a scenario implies them, computed in plain Python from its events
(see `expected` for the conventions)."""

from __future__ import annotations

import calendar
import math
import statistics
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from tests.analytics.expected import bucket_of, buckets, conversation_status, inside
from tests.scenario import TIMEOUT, Facts, Span


def satisfaction(
    f: Facts, start: datetime, end: datetime, now: datetime, scale: str
) -> dict[str, Any]:
    feedback = [e for e in f.of_type("feedback") if inside(e.at, start, end)]
    ratings = [e.properties["rating"] for e in feedback]
    if scale == "auto":
        scale = "stars" if any(r in (2, 3, 4, 5) for r in ratings) else "thumbs"

    def good(rating: int) -> bool:
        return rating in (4, 5) or (rating == 1 and scale == "thumbs")

    outcomes: dict[str, list[int]] = {k: [] for k in ("completed", "handover", "active", "unknown")}
    for e in feedback:
        c = f.conversations.get(e.conversation_id) if e.conversation_id else None
        outcomes["unknown" if c is None else conversation_status(c, now)].append(
            e.properties["rating"]
        )
    counted = Counter(ratings)
    positive = sum(good(r) for r in ratings)
    return {
        "scale": scale,
        "total_ratings": len(ratings),
        "thumbs": {"up": counted[1] if scale == "thumbs" else 0, "down": counted[-1]},
        "stars": [
            {"stars": s, "count": counted[s] if s > 1 or scale == "stars" else 0}
            for s in range(1, 6)
        ],
        "positive": positive,
        "csat": positive / len(ratings) if ratings else None,
        "by_outcome": [
            {
                "outcome": name,
                "ratings": len(values),
                "positive": sum(good(r) for r in values),
                "csat": sum(good(r) for r in values) / len(values) if values else None,
            }
            for name, values in outcomes.items()
        ],
    }


def months(start: datetime, end: datetime) -> float:
    """Calendar months in [start, end), each weighed by the share of its seconds inside."""
    total = 0.0
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    while day < end:
        length = calendar.monthrange(day.year, day.month)[1]
        inside_day = min(day + timedelta(days=1), end) - max(day, start)
        total += inside_day.total_seconds() / (length * 86400)
        day += timedelta(days=1)
    return total


def roi(
    f: Facts, start: datetime, end: datetime, now: datetime, asked: dict[str, Any]
) -> dict[str, Any]:
    chosen = [c for c in f.conversations.values() if inside(c.started, start, end)]
    resolved = sum(conversation_status(c, now) == "completed" for c in chosen)
    leads = sum(inside(e.at, start, end) for e in f.of_type("lead_submitted"))
    converted = [e for e in f.of_type("conversion") if inside(e.at, start, end)]
    currency = asked.get("currency")
    mine = [
        e
        for e in converted
        if currency is None
        or e.properties.get("currency") is None
        or e.properties["currency"].upper() == currency.upper()
    ]
    if asked.get("cost_per_month") is not None:
        source, cost = "cost_per_month", asked["cost_per_month"] * months(start, end)
    elif asked.get("cost_per_conversation") is not None:
        source, cost = "cost_per_conversation", asked["cost_per_conversation"] * len(chosen)
    else:
        bots = [e for e in f.of_type("bot_response") if inside(e.at, start, end)]
        priced = [e.properties["cost"] for e in bots if "cost" in e.properties]
        source, cost = ("bot_responses", sum(priced)) if priced else ("none", None)
    values = sum(e.properties.get("value", 0.0) for e in mine)
    conversion_value = asked.get("conversion_value")
    worth = conversion_value * len(converted) if conversion_value is not None else values
    total = leads * (asked.get("lead_value") or 0.0) + worth
    return {
        "currency": currency,
        "cost_source": source,
        "cost": cost,
        "cost_per_month": asked["cost_per_month"] if source == "cost_per_month" else None,
        "cost_per_conversation": asked["cost_per_conversation"]
        if source == "cost_per_conversation"
        else None,
        "conversations": len(chosen),
        "resolved_conversations": resolved,
        "leads": leads,
        "lead_value": asked.get("lead_value"),
        "conversions": {
            "count": len(converted),
            "value": values,
            "other_currency": len(converted) - len(mine),
        },
        "conversion_value": conversion_value,
        "value_source": "conversion_value" if conversion_value is not None else "conversion_events",
        "total_value": total,
        "cost_per_lead": _finite(cost / leads) if leads and cost is not None else None,
        "cost_per_resolved_conversation": _finite(cost / resolved)
        if resolved and cost is not None
        else None,
        "roi": _finite((total - cost) / cost) if cost else None,
    }


def _finite(value: float) -> float | None:
    """Figures that overflow are reported as null (docs/api.md, ROI)."""
    return value if math.isfinite(value) else None


def effective_end(s: Span, now: datetime) -> datetime:
    if s.ended is not None:
        return s.ended
    return s.last if s.last < now - TIMEOUT else now


def peak(f: Facts, start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
    """Brute force: the number of sessions present at each start inside the range."""
    spans = [(s.started, effective_end(s, now)) for s in f.sessions.values()]
    moments = sorted({max(a, start) for a, b in spans if a < end and b >= start})
    best, when = 0, None
    for t in moments:
        present = sum(a <= t <= b for a, b in spans)
        if present > best:
            best, when = present, t
    return {"peak_concurrent_sessions": best, "peak_at": when}


def heatmap(times: list[datetime], start: datetime, end: datetime) -> list[list[int]]:
    grid = [[0] * 24 for _ in range(7)]
    for t in times:
        if inside(t, start, end):
            grid[t.weekday()][t.hour] += 1
    return grid


def capacity(
    f: Facts, start: datetime, end: datetime, now: datetime, horizon: int, asked_at: datetime
) -> dict[str, Any]:
    """`now` is the scenario's; `asked_at` when the request was answered (which weeks are over)."""
    starts = [s.started for s in f.sessions.values()]
    messages = [e.at for e in f.of_type("user_message", "bot_response", "system_message")]
    weeks: list[dict[str, Any]] = []
    for monday in buckets(start, end, "week"):
        count = sum(bucket_of(t, "week") == monday and inside(t, start, end) for t in starts)
        whole = start <= monday and monday + timedelta(weeks=1) <= min(end, asked_at)
        weeks.append({"week": monday.date().isoformat(), "sessions": count, "complete": whole})
    complete = [w for w in weeks if w["complete"]]
    growth: dict[str, Any] = {"weeks": weeks, "slope_per_week": None, "intercept": None}
    growth["projection"] = []
    if len(complete) >= 2:
        line = statistics.linear_regression(
            range(len(complete)), [float(w["sessions"]) for w in complete]
        )
        last = datetime.fromisoformat(complete[-1]["week"])
        growth.update(slope_per_week=line.slope, intercept=line.intercept)
        growth["projection"] = [
            {
                "week": (last + timedelta(weeks=k)).date().isoformat(),
                "sessions": max(0.0, line.intercept + line.slope * (len(complete) - 1 + k)),
            }
            for k in range(1, horizon + 1)
        ]
    return {
        **peak(f, start, end, now),
        "heatmap": {
            "sessions": heatmap(starts, start, end),
            "messages": heatmap(messages, start, end),
        },
        "growth": growth,
    }
