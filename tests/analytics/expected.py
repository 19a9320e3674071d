"""The figures each endpoint should answer, computed from a scenario's facts in plain Python.

Each function mirrors one endpoint and returns the parts of its answer that the definitions fix, with
times as naive-UTC datetimes (the tests parse the answer's times before comparing).
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from tests.scenario import Event, Facts, Span

MESSAGE_TYPES = {"user_message": "user", "bot_response": "bot", "system_message": "system"}
STEPS = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}


def percentile_cont(values: list[float], p: float) -> float | None:
    """PostgreSQL's percentile_cont: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    h = (len(ordered) - 1) * p
    lo, hi = math.floor(h), math.ceil(h)
    return ordered[lo] + (h - lo) * (ordered[hi] - ordered[lo])


def bucket_of(moment: datetime, interval: str) -> datetime:
    hour = moment.replace(minute=0, second=0, microsecond=0)
    if interval == "hour":
        return hour
    day = hour.replace(hour=0)
    return day if interval == "day" else day - timedelta(days=day.weekday())


def buckets(start: datetime, end: datetime, interval: str) -> list[datetime]:
    found, current = [], bucket_of(start, interval)
    while current < end:
        found.append(current)
        current += STEPS[interval]
    return found


def inside(moment: datetime, start: datetime, end: datetime) -> bool:
    return start <= moment < end


def session_status(s: Span, now: datetime) -> str:
    if s.ended is not None and s.end_status == "error":
        return "error"
    return "completed" if s.effective_end(now) is not None else "active"


def conversation_status(c: Span, now: datetime) -> str:
    if c.handover:
        return "handover"
    return "completed" if c.effective_end(now) is not None else "active"


def mean(values: list[int] | list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def session_row(s: Span, now: datetime) -> dict[str, Any]:
    location = s.location or {}
    return {
        "session_id": s.id,
        "user_id": s.user_id,
        "started_at": s.started,
        "last_event_at": s.last,
        "ended_at": s.effective_end(now),
        "timed_out": s.timed_out(now),
        "status": session_status(s, now),
        "end_source": s.end_source,
        "duration_seconds": s.duration(now),
        "event_count": s.events,
        "message_count": s.messages,
        "has_widget": s.has_widget,
        "has_backend": s.has_backend,
        "city": location.get("city"),
        "country": location.get("country"),
    }


def newest(rows: list[Any], key: Any, limit: int) -> list[Any]:
    return sorted(rows, key=key, reverse=True)[:limit]


def users_present(f: Facts, start: datetime, end: datetime) -> dict[str, str]:
    """user -> `new` | `returning`, for users with a session overlapping [start, end)."""
    first_seen: dict[str, datetime] = {}
    for e in f.events:
        first_seen[e.user_id] = min(first_seen.get(e.user_id, e.at), e.at)
    present = {s.user_id for s in f.sessions.values() if s.started < end and s.last >= start}
    return {u: "new" if first_seen[u] >= start else "returning" for u in present}


def counts_per_bucket(
    times: list[datetime], start: datetime, end: datetime, interval: str
) -> list[int]:
    counted = Counter(bucket_of(t, interval) for t in times if inside(t, start, end))
    return [counted[b] for b in buckets(start, end, interval)]


def overview(
    f: Facts, start: datetime, end: datetime, interval: str, now: datetime
) -> dict[str, Any]:
    present = users_present(f, start, end)
    sessions = [s for s in f.sessions.values() if inside(s.started, start, end)]
    durations = [d for s in sessions if (d := s.duration(now)) is not None]
    messages = [e for e in f.of_type(*MESSAGE_TYPES) if inside(e.at, start, end)]
    questions = sum(e.type == "user_message" for e in messages)
    errors = sum(inside(e.at, start, end) for e in f.of_type("error"))
    series_of = {
        "sessions": [s.started for s in f.sessions.values()],
        "conversations": [c.started for c in f.conversations.values()],
        "messages": [e.at for e in f.of_type(*MESSAGE_TYPES)],
        "leads": [e.at for e in f.of_type("lead_submitted")],
        "handovers": [e.at for e in f.of_type("handover_requested")],
    }
    columns = {k: counts_per_bucket(v, start, end, interval) for k, v in series_of.items()}
    closes = [e for e in f.of_type("widget_close") if inside(e.at, start, end)]
    return {
        "total_users": len(present),
        "new_users": sum(kind == "new" for kind in present.values()),
        "returning_users": sum(kind == "returning" for kind in present.values()),
        "total_sessions": len(sessions),
        "active_sessions": sum(session_status(s, now) == "active" for s in f.sessions.values()),
        "avg_session_duration": mean(durations),
        "total_conversations": sum(inside(c.started, start, end) for c in f.conversations.values()),
        "total_messages": len(messages),
        "total_questions": questions,
        "total_chatbot_opens": sum(inside(e.at, start, end) for e in f.of_type("widget_open")),
        "total_chatbot_closes": len(closes),
        "avg_time_spent_seconds": mean([e.properties["time_spent_seconds"] for e in closes]),
        "total_leads": sum(inside(e.at, start, end) for e in f.of_type("lead_submitted")),
        "total_handovers": sum(inside(e.at, start, end) for e in f.of_type("handover_requested")),
        "total_errors": errors,
        "error_rate": errors / questions if questions else 0.0,
        "series": [
            {"bucket": b, **{k: v[i] for k, v in columns.items()}}
            for i, b in enumerate(buckets(start, end, interval))
        ],
    }


def sessions(
    f: Facts, start: datetime, end: datetime, now: datetime, today: datetime
) -> dict[str, Any]:
    """`today` is 00:00 UTC of the day the request was answered."""
    chosen = [s for s in f.sessions.values() if inside(s.started, start, end)]
    statuses = Counter(session_status(s, now) for s in chosen)
    durations = [d for s in chosen if (d := s.duration(now)) is not None]
    return {
        "total_sessions": len(chosen),
        "active_sessions": statuses["active"],
        "completed_sessions": statuses["completed"],
        "error_sessions": statuses["error"],
        "active_now": sum(session_status(s, now) == "active" for s in f.sessions.values()),
        "today_sessions": sum(s.started >= today for s in f.sessions.values()),
        "average_duration": mean(durations),
        "ended_sessions": len(durations),
        "recent_sessions": [
            session_row(s, now) for s in newest(chosen, lambda s: (s.started, s.id), 20)
        ],
    }


def conversations(f: Facts, start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
    chosen = [c for c in f.conversations.values() if inside(c.started, start, end)]
    statuses = Counter(conversation_status(c, now) for c in chosen)
    durations = [d for c in chosen if (d := c.duration(now)) is not None]
    return {
        "total_conversations": len(chosen),
        "active_conversations": statuses["active"],
        "completed_conversations": statuses["completed"],
        "handover_conversations": statuses["handover"],
        "average_duration": mean(durations),
        "ended_conversations": len(durations),
        "total_messages": sum(c.messages for c in chosen),
        "completion_rate": statuses["completed"] / len(chosen) if chosen else 0.0,
        "recent_conversations": [
            {
                "conversation_id": c.id,
                "session_id": c.session_id,
                "user_id": c.user_id,
                "started_at": c.started,
                "last_event_at": c.last,
                "ended_at": c.effective_end(now),
                "timed_out": c.timed_out(now),
                "status": conversation_status(c, now),
                "end_status": c.end_status,
                "duration_seconds": c.duration(now),
                "message_count": c.messages,
                "user_message_count": c.user_messages,
                "bot_message_count": c.bot_messages,
                "fallback_count": c.fallbacks,
            }
            for c in newest(chosen, lambda c: (c.started, c.id), 20)
        ],
    }


def message_row(e: Event) -> dict[str, Any]:
    bot = e.type == "bot_response"
    return {
        "message_id": e.properties.get("message_id", e.event_id),
        "event_id": e.event_id,
        "conversation_id": e.conversation_id,
        "session_id": e.session_id,
        "user_id": e.user_id,
        "message_type": MESSAGE_TYPES[e.type],
        "content": e.properties["content"],
        "created_at": e.at,
        "latency_ms": e.properties["latency_ms"] if bot else None,
        "fallback": bool(e.properties.get("fallback")) if bot else False,
    }


def messages(f: Facts, start: datetime, end: datetime) -> dict[str, Any]:
    chosen = [e for e in f.of_type(*MESSAGE_TYPES) if inside(e.at, start, end)]
    kinds = Counter(MESSAGE_TYPES[e.type] for e in chosen)
    latencies = [float(e.properties["latency_ms"]) for e in chosen if e.type == "bot_response"]
    fallbacks = sum(bool(e.properties.get("fallback")) for e in chosen if e.type == "bot_response")
    return {
        "total_messages": len(chosen),
        "user_messages": kinds["user"],
        "bot_messages": kinds["bot"],
        "system_messages": kinds["system"],
        "fallback_messages": fallbacks,
        "response_time_ms": {
            "count": len(latencies),
            "avg": sum(latencies) / len(latencies) if latencies else None,
            "p50": percentile_cont(latencies, 0.5),
            "p90": percentile_cont(latencies, 0.9),
            "p99": percentile_cont(latencies, 0.99),
            "histogram": [
                {"le_ms": high, "count": sum(low < x <= (high or float("inf")) for x in latencies)}
                for low, high in zip(
                    [float("-inf"), 250.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0],
                    [250.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0, None],
                    strict=True,
                )
            ],
        },
        "fallback_rate": fallbacks / kinds["bot"] if kinds["bot"] else 0.0,
        "recent_messages": [
            message_row(e) for e in newest(chosen, lambda e: (e.at, e.event_id), 20)
        ],
    }


def ranked(counter: Counter[str], name: str) -> list[dict[str, Any]]:
    return [{name: k, "count": n} for k, n in sorted(counter.items(), key=lambda i: (-i[1], i[0]))]


def lead_row(e: Event) -> dict[str, Any]:
    return {
        "lead_id": e.event_id,
        "event_id": e.event_id,
        "user_id": e.user_id,
        "session_id": e.session_id,
        "conversation_id": e.conversation_id,
        "lead_type": e.properties["lead_type"],
        "name": e.properties.get("name"),
        "email": e.properties.get("email"),
        "phone": e.properties.get("phone"),
        "page_url": e.page_url,
        "created_at": e.at,
    }


def leads(f: Facts, start: datetime, end: datetime) -> dict[str, Any]:
    chosen = [e for e in f.of_type("lead_submitted") if inside(e.at, start, end)]
    days = buckets(start, end, "day")
    per_day = counts_per_bucket([e.at for e in chosen], start, end, "day")
    return {
        "total_leads": len(chosen),
        "by_type": ranked(Counter(e.properties["lead_type"] for e in chosen), "lead_type"),
        "daily_leads": [
            {"date": d.date().isoformat(), "count": n} for d, n in zip(days, per_day, strict=True)
        ],
        "recent_leads": [lead_row(e) for e in newest(chosen, lambda e: (e.at, e.event_id), 20)],
    }


def handover_row(f: Facts, e: Event) -> dict[str, Any]:
    return {
        "event_id": e.event_id,
        "user_id": e.user_id,
        "session_id": e.session_id,
        "conversation_id": f.handover_conversation[e.event_id],
        "conversation_named": e.conversation_id is not None,
        "issues": e.properties["issues"],
        "support_option": e.properties["support_option"],
        "last_message": e.properties.get("last_message"),
        "other_text": e.properties.get("other_text"),
        "status": "requested",
        "requested_at": e.at,
    }


def handovers(f: Facts, start: datetime, end: datetime) -> dict[str, Any]:
    chosen = [e for e in f.of_type("handover_requested") if inside(e.at, start, end)]
    issues: Counter[str] = Counter()
    for e in chosen:
        issues.update(set(e.properties["issues"]))
    return {
        "total_handover": len(chosen),
        "by_support_option": ranked(
            Counter(e.properties["support_option"] for e in chosen), "support_option"
        ),
        "by_issue": ranked(issues, "issue"),
        "recent_handover": [
            handover_row(f, e) for e in newest(chosen, lambda e: (e.at, e.event_id), 20)
        ],
    }


def events(f: Facts, start: datetime, end: datetime, interval: str) -> dict[str, Any]:
    chosen = [e for e in f.events if inside(e.at, start, end)]
    return {
        "total_events": len(chosen),
        "by_type": ranked(Counter(e.type for e in chosen), "type"),
        "series": [
            {"bucket": b, "events": n}
            for b, n in zip(
                buckets(start, end, interval),
                counts_per_bucket([e.at for e in chosen], start, end, interval),
                strict=True,
            )
        ],
    }


def user(f: Facts, user_id: str, now: datetime) -> dict[str, Any]:
    mine = [e for e in f.events if e.user_id == user_id]
    own = [s for s in f.sessions.values() if s.user_id == user_id]
    paged = max(((e.at, e.page_url) for e in mine if e.page_url is not None), default=None)
    return {
        "user_id": user_id,
        "first_seen_at": min(e.at for e in mine),
        "last_active_at": max(e.at for e in mine),
        "total_sessions": len(own),
        "total_messages": sum(e.type in MESSAGE_TYPES for e in mine),
        "total_conversations": sum(c.user_id == user_id for c in f.conversations.values()),
        "last_page_url": paged[1] if paged else None,
        "user_type": "new" if len(own) <= 1 else "returning",
        "total_duration": sum(d for s in own if (d := s.duration(now)) is not None),
        "is_active": any(session_status(s, now) == "active" for s in own),
        "session_history": [
            session_row(s, now) for s in newest(own, lambda s: (s.started, s.id), 500)
        ],
        "leads": [
            lead_row(e)
            for e in newest(
                [e for e in mine if e.type == "lead_submitted"], lambda e: (e.at, e.event_id), 500
            )
        ],
        "handovers": [
            handover_row(f, e)
            for e in newest(
                [e for e in mine if e.type == "handover_requested"],
                lambda e: (e.at, e.event_id),
                500,
            )
        ],
    }
