"""The operations figures a scenario implies, computed in plain Python from its own events.

Each function follows the definitions of docs/api.md, never project code or SQL; times
are naive UTC datetimes, as the tests parse them out of the answers.
"""

from __future__ import annotations

import statistics
import unicodedata
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.analytics.expected import (
    bucket_of,
    buckets,
    conversation_status,
    inside,
    percentile_cont,
)
from tests.scenario import Event, Facts

CLASSES = (("<1s", 0.0, 1000.0), ("1-3s", 1000.0, 3000.0), ("3-10s", 3000.0, 10000.0))
CLASSES_ALL = (*CLASSES, (">=10s", 10000.0, None))


def _in(f: Facts, type_: str, start: datetime, end: datetime) -> list[Event]:
    return [e for e in f.of_type(type_) if inside(e.at, start, end)]


def _ranked(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def _latency_class(latency: float) -> str:
    return next((name for name, _, high in CLASSES if latency < high), ">=10s")


def performance(
    f: Facts, perf: list[Event], start: datetime, end: datetime, interval: str, by: str
) -> dict[str, Any]:
    bots = _in(f, "bot_response", start, end)
    per_bucket: dict[datetime, list[float]] = defaultdict(list)
    per_conversation: dict[str, list[float]] = defaultdict(list)
    for e in bots:
        per_bucket[bucket_of(e.at, interval)].append(e.properties["latency_ms"])
        per_conversation[str(e.conversation_id)].append(e.properties["latency_ms"])
    metric = (lambda v: sum(v) / len(v)) if by == "avg" else max
    slowest = sorted(per_conversation.items(), key=lambda item: (-metric(item[1]), item[0]))
    errors = Counter(e.properties["kind"] for e in _in(f, "error", start, end))
    questions = len(_in(f, "user_message", start, end))
    samples = [e for e in perf if inside(e.at, start, end)]
    return {
        "response_time_ms": [
            {
                "bucket": b,
                "bot_messages": len(per_bucket[b]),
                **{
                    f"p{round(p * 100)}": percentile_cont(per_bucket[b], p)
                    for p in (0.5, 0.9, 0.99)
                },
            }
            for b in buckets(start, end, interval)
        ],
        "slowest_by": by,
        "slowest_conversations": [
            {
                "conversation_id": cid,
                "bot_messages": len(values),
                "avg_latency_ms": sum(values) / len(values),
                "max_latency_ms": max(values),
            }
            for cid, values in slowest[:10]
        ],
        "errors": {
            "total_errors": errors.total(),
            "user_messages": questions,
            "error_rate": errors.total() / questions if questions else 0.0,
            "by_kind": [
                {"kind": k, "count": n, "per_user_message": n / questions if questions else 0.0}
                for k, n in _ranked(errors)
            ],
        },
        "system": [system_bucket(b, samples, interval) for b in buckets(start, end, interval)],
        "abandonment": abandonment(f, bots),
    }


def system_bucket(b: datetime, samples: list[Event], interval: str) -> dict[str, Any]:
    mine = [e.properties for e in samples if bucket_of(e.at, interval) == b]

    def mean_of(key: str) -> float | None:
        values = [p[key] for p in mine if key in p]
        return sum(values) / len(values) if values else None

    connections = [p["active_connections"] for p in mine if "active_connections" in p]
    return {
        "bucket": b,
        "samples": len(mine),
        "cpu_percent": mean_of("cpu_percent"),
        "memory_mb": mean_of("memory_mb"),
        "active_connections": max(connections) if connections else None,
        "response_time_ms": mean_of("response_time_ms"),
    }


def abandonment(f: Facts, bots: list[Event]) -> list[dict[str, Any]]:
    closes = f.of_type("widget_close")
    users = f.of_type("user_message")
    replies: Counter[str] = Counter()
    gone: Counter[str] = Counter()
    for r in bots:
        name = _latency_class(r.properties["latency_ms"])
        replies[name] += 1
        gone[name] += any(
            c.session_id == r.session_id
            and r.at <= c.at <= r.at + timedelta(seconds=60)
            and not any(u.session_id == r.session_id and r.at < u.at < c.at for u in users)
            for c in closes
        )
    return [
        {
            "latency": name,
            "min_ms": low,
            "max_ms": high,
            "replies": replies[name],
            "abandoned": gone[name],
            "share": gone[name] / replies[name] if replies[name] else 0.0,
        }
        for name, low, high in CLASSES_ALL
    ]


def normalized(text: str) -> str:
    lowered = text.lower()
    kept = "".join(ch for ch in lowered if not unicodedata.category(ch).startswith("P"))
    return " ".join(kept.split())


def questions(texts: list[str]) -> list[dict[str, Any]]:
    """Texts merged by normalized form; the most frequent wording as the example."""
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        groups[normalized(text)][text] += 1
    rows = [
        {"question": key, "count": wordings.total(), "example": _ranked(wordings)[0][0]}
        for key, wordings in groups.items()
    ]
    return sorted(rows, key=lambda row: (-row["count"], row["question"]))


def pain_points(
    f: Facts, start: datetime, end: datetime, now: datetime, hours: dict[str, Any], limit: int
) -> dict[str, Any]:
    handovers = _in(f, "handover_requested", start, end)
    issues: Counter[str] = Counter()
    for h in handovers:
        issues.update(set(h.properties["issues"]))
    asked = f.of_type("user_message")
    before: list[str] = []
    without = 0
    fallbacks = [e for e in _in(f, "bot_response", start, end) if e.properties["fallback"]]
    for r in fallbacks:
        mine = [u for u in asked if u.conversation_id == r.conversation_id and u.at <= r.at]
        if mine:
            before.append(max(mine, key=lambda u: (u.at, u.event_id)).properties["content"])
        else:
            without += 1
    texts = [e.properties["content"] for e in _in(f, "user_message", start, end)]
    return {
        "handover_reasons": [{"issue": k, "count": n} for k, n in _ranked(issues)],
        "fallback_questions": {
            "fallbacks": len(fallbacks),
            "without_question": without,
            "by_question": questions(before)[:limit],
        },
        "repeated_questions": [q for q in questions(texts) if q["count"] >= 2][:limit],
        "fallback_exits": fallback_exits(f, start, end, now),
        "handover_quality": handover_quality(f, handovers, start, end, hours),
    }


def fallback_exits(f: Facts, start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
    ended = [
        c
        for c in f.conversations.values()
        if inside(c.started, start, end) and conversation_status(c, now) == "completed"
    ]
    messages = f.of_type("user_message", "bot_response", "system_message")
    left = 0
    for c in ended:
        mine = [m for m in messages if m.conversation_id == c.id]
        last = max(mine, key=lambda m: (m.at, m.event_id)) if mine else None
        left += last is not None and last.type == "bot_response" and last.properties["fallback"]
    return {
        "ended_conversations": len(ended),
        "abandoned_after_fallback": left,
        "share": left / len(ended) if ended else 0.0,
    }


def handover_time(f: Facts, cid: str) -> datetime | None:
    """The first request assigned to the conversation, or its last conversation_end when that one
    is a handover, whichever is earlier."""
    times = [
        h.at for h in f.of_type("handover_requested") if f.handover_conversation[h.event_id] == cid
    ]
    ends = [e for e in f.of_type("conversation_end") if e.conversation_id == cid]
    if ends:
        last = max(ends, key=lambda e: (e.at, e.event_id))
        if last.properties["status"] == "handover":
            times.append(last.at)
    return min(times, default=None)


def handover_quality(
    f: Facts, handovers: list[Event], start: datetime, end: datetime, hours: dict[str, Any]
) -> dict[str, Any]:
    chosen = [c for c in f.conversations.values() if inside(c.started, start, end) and c.handover]
    turns = []
    for c in chosen:
        at = handover_time(f, c.id)
        if at is not None:
            bots = f.of_type("bot_response")
            turns.append(float(sum(b.conversation_id == c.id and b.at <= at for b in bots)))
    zone = ZoneInfo(hours["tz"])
    outside = 0
    for h in handovers:
        local = h.at.replace(tzinfo=UTC).astimezone(zone)
        open_ = local.isoweekday() in hours["days"] and hours["start"] <= local.hour < hours["end"]
        outside += not open_
    return {
        "handover_conversations": len(chosen),
        "timed_handovers": len(turns),
        "bot_turns_mean": statistics.fmean(turns) if turns else None,
        "bot_turns_median": statistics.median(turns) if turns else None,
        "handover_requests": len(handovers),
        "outside_business_hours": outside,
        "outside_share": outside / len(handovers) if handovers else 0.0,
        "business_hours": {**hours, "days": sorted(hours["days"])},
    }
