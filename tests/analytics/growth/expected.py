"""The growth figures a scenario implies, folded from its events in plain Python by the documented rules."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chatlytics.store.timing import whole_seconds
from tests.analytics.expected import buckets, inside, percentile_cont
from tests.analytics.growth.scenario import Event


def visible(events: list[Event]) -> list[Event]:
    """Every event but `performance`, which feeds no user or session."""
    return [e for e in events if e.type != "performance"]


# ---- Funnel ------------------------------------------------------------------------------------


def path_of(
    times: dict[str, list[datetime]], steps: list[str], within: timedelta | None
) -> list[datetime]:
    """The furthest path (the earliest start of those), following the definition literally."""
    starts = sorted(times.get(steps[0], []))
    best: list[datetime] = []
    for start in starts if within is not None else starts[:1]:
        path = [start]
        for step in steps[1:]:
            options = [
                t
                for t in times.get(step, [])
                if t >= path[-1] and (within is None or t - start <= within)
            ]
            if not options:
                break
            path.append(min(options))
        if len(path) > len(best):
            best = path
    return best


def funnel(
    events: list[Event],
    start: datetime,
    end: datetime,
    steps: list[str],
    by: str = "user",
    within: timedelta | None = None,
) -> dict[str, Any]:
    per: dict[str, dict[str, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    for e in events:
        if e.type in steps and inside(e.at, start, end):
            per[e.user_id if by == "user" else e.session_id][e.type].append(e.at)
    gaps: list[list[float]] = [[] for _ in steps]
    for times in per.values():
        path = path_of(times, steps, within)
        for i, at in enumerate(path):
            gaps[i].append((at - path[i - 1]).total_seconds() if i else 0.0)
    counts = [len(g) for g in gaps]
    return {
        "by": by,
        "window_seconds": int(within.total_seconds()) if within else None,
        "steps": [
            {
                "name": name,
                "count": counts[i],
                "conversion_rate": (counts[i] / counts[i - 1] if counts[i - 1] else 0.0)
                if i
                else None,
                "median_seconds_from_previous": percentile_cont(gaps[i], 0.5) if i else None,
            }
            for i, name in enumerate(steps)
        ],
    }


# ---- Sessions, users, retention ----------------------------------------------------------------


@dataclass
class Session:
    user_id: str
    started: datetime
    last: datetime
    user_messages: int = 0


def sessions(events: list[Event]) -> dict[str, Session]:
    found: dict[str, Session] = {}
    for e in sorted(visible(events), key=lambda e: (e.at, e.event_id)):
        s = found.setdefault(e.session_id, Session(e.user_id, e.at, e.at))
        s.last = max(s.last, e.at)
        s.user_messages += e.type == "user_message"
    return found


def first_seen(events: list[Event]) -> dict[str, datetime]:
    found: dict[str, datetime] = {}
    for e in visible(events):
        found[e.user_id] = min(found.get(e.user_id, e.at), e.at)
    return found


LENGTH = {"day": timedelta(days=1), "week": timedelta(weeks=1)}


def retention(events: list[Event], start: datetime, end: datetime, period: str) -> dict[str, Any]:
    starts = buckets(start, end, period)
    index = {b: i for i, b in enumerate(starts)}

    def period_of(t: datetime) -> int:
        day = t.replace(hour=0, minute=0, second=0, microsecond=0)
        return index[day if period == "day" else day - timedelta(days=day.weekday())]

    cohort = {u: period_of(t) for u, t in first_seen(events).items() if inside(t, start, end)}
    active: set[tuple[str, int]] = {
        (s.user_id, period_of(s.started))
        for s in sessions(events).values()
        if s.user_id in cohort and inside(s.started, start, end)
    }
    rows = []
    for i, first in enumerate(starts):
        members = [u for u, c in cohort.items() if c == i]
        counts = [sum((u, j) in active for u in members) for j in range(i, len(starts))]
        rows.append(
            {
                "cohort": first.date().isoformat(),
                "size": len(members),
                "partial": not (start <= first and first + LENGTH[period] <= end),
                "returning": counts,
                "rates": [n / len(members) if members else 0.0 for n in counts],
            }
        )
    return {"period": period, "cohorts": rows}


# ---- Engagement and opportunities --------------------------------------------------------------


def components(
    events: list[Event], user: str, start: datetime | None = None, end: datetime | None = None
) -> dict[str, int]:
    def within(t: datetime) -> bool:
        return start is None or end is None or inside(t, start, end)

    own = [s for s in sessions(events).values() if s.user_id == user and within(s.started)]
    mine = [e for e in events if e.user_id == user and within(e.at)]
    ratings = [e.properties["rating"] for e in mine if e.type == "feedback"]
    return {
        "sessions": len(own),
        "session_seconds": sum(whole_seconds(s.last - s.started) for s in own),
        "user_messages": sum(s.user_messages for s in own),
        "leads": sum(e.type == "lead_submitted" for e in mine),
        "positive_feedback": sum(r in (4, 5) for r in ratings),
        "negative_feedback": sum(r == -1 for r in ratings),
    }


def points(parts: dict[str, int]) -> int:
    """The documented points, before the score is cut to 0..100."""
    time_points = min(parts["session_seconds"] // 300 * 2, 24)
    return (
        2 * parts["sessions"]
        + parts["user_messages"]
        + time_points
        + 10 * parts["leads"]
        + 4 * parts["positive_feedback"]
        - 2 * parts["negative_feedback"]
    )


def score(parts: dict[str, int]) -> int:
    return max(0, min(100, points(parts)))


def product_of(e: Event) -> str:
    pid = e.properties.get("product_id")
    return str(pid if pid is not None else e.properties["product_name"])


def newest(events: list[Event]) -> dict[str, Event]:
    found: dict[str, Event] = {}
    for e in sorted(events, key=lambda e: (e.at, e.event_id)):
        found[product_of(e)] = e
    return found


def products_listed(shown: list[Event], limit: int) -> list[dict[str, Any]]:
    counts = Counter(product_of(e) for e in shown)
    names = newest(shown)
    rows = [
        {
            "product_id": names[key].properties.get("product_id"),
            "product_name": names[key].properties["product_name"],
            "interest_events": n,
        }
        for key, n in counts.items()
    ]
    rows.sort(key=lambda r: (-r["interest_events"], r["product_name"], r["product_id"] or ""))
    return rows[:limit]


def opportunities(
    events: list[Event],
    start: datetime,
    end: datetime,
    threshold: int = 40,
    min_interest: int = 3,
    min_repeat: int = 2,
) -> dict[str, Any]:
    shown = [e for e in events if e.type == "product_interest" and inside(e.at, start, end)]
    # The visitors with something that counts in the range.
    counted = ("lead_submitted", "feedback", "product_interest")
    people = {e.user_id for e in events if e.type in counted and inside(e.at, start, end)}
    people |= {s.user_id for s in sessions(events).values() if inside(s.started, start, end)}
    flagged: list[dict[str, Any]] = []
    for user in people:
        parts = components(events, user, start, end)
        mine = [e for e in shown if e.user_id == user]
        most = max(Counter(product_of(e) for e in mine).values(), default=0)
        reasons = []
        if score(parts) >= threshold and parts["leads"] == 0:
            reasons.append("engaged_without_lead")
        if len(mine) >= min_interest:
            reasons.append("product_interest")
        if most >= min_repeat:
            reasons.append("repeated_product_interest")
        if reasons:
            flagged.append(
                {
                    "user_id": user,
                    "engagement_score": score(parts),
                    "engagement_components": parts,
                    "has_lead": parts["leads"] > 0,
                    "product_interest": len(mine),
                    "products": products_listed(mine, 5),
                    "reasons": reasons,
                }
            )
    flagged.sort(key=lambda r: (-r["engagement_score"], r["user_id"]))
    return {
        "threshold": threshold,
        "min_interest": min_interest,
        "min_repeat": min_repeat,
        "total_flagged": len(flagged),
        "opportunities": flagged[:50],
    }


# ---- Products ----------------------------------------------------------------------------------


def _interest(
    shown: list[Event], leads: dict[str, datetime], bought: dict[str, datetime]
) -> dict[str, Any]:
    first: dict[str, datetime] = {}
    for e in shown:
        first[e.user_id] = min(first.get(e.user_id, e.at), e.at)
    led = sum(u in leads and leads[u] >= t for u, t in first.items())
    converted = sum(u in bought and bought[u] >= t for u, t in first.items())
    return {
        "interest_events": len(shown),
        "visitors": len(first),
        "leads": led,
        "lead_rate": led / len(first),
        "conversions": converted,
        "conversion_rate": converted / len(first),
    }


def products(events: list[Event], start: datetime, end: datetime) -> dict[str, Any]:
    ranged = [e for e in events if inside(e.at, start, end)]
    shown = [e for e in ranged if e.type == "product_interest"]

    def last(type_: str) -> dict[str, datetime]:
        found: dict[str, datetime] = {}
        for e in ranged:
            if e.type == type_:
                found[e.user_id] = max(found.get(e.user_id, e.at), e.at)
        return found

    leads, bought = last("lead_submitted"), last("conversion")
    names = newest(shown)
    categorised = newest([e for e in shown if e.properties.get("category") is not None])
    by_product = []
    for key in {product_of(e) for e in shown}:
        mine = [e for e in shown if product_of(e) == key]
        by_product.append(
            {
                "product_id": names[key].properties.get("product_id"),
                "product_name": names[key].properties["product_name"],
                "category": categorised[key].properties["category"] if key in categorised else None,
                **_interest(mine, leads, bought),
            }
        )
    by_product.sort(key=lambda r: (-r["interest_events"], r["product_name"], r["product_id"] or ""))
    categories = {e.properties.get("category") for e in shown} - {None}
    by_category = [
        {
            "category": c,
            **_interest([e for e in shown if e.properties.get("category") == c], leads, bought),
        }
        for c in categories
    ]
    by_category.sort(key=lambda r: (-r["interest_events"], r["category"]))
    return {
        "interest_events": len(shown),
        "visitors": len({e.user_id for e in shown}),
        "by_product": by_product[:50],
        "by_category": by_category[:50],
    }
