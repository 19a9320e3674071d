"""How fast and how reliably the bot answers: response-time percentiles per bucket, the slowest
conversations, errors by kind, the chat server's health samples, and visitors who close the widget
soon after a reply, per latency class.

Bot replies are counted by `created_at`; raw `error` and `performance` events by their time. The bot
replies of the window are read once (`bot_replies`): one pass that hands back only a bucket, a
conversation, a latency and whether the visitor left right after (a flag the writer keeps, see
store/projections/abandonment.py) per reply serves the percentiles, the slowest conversations and the
latency classes, where grouping in SQL took a sort per figure. Percentiles are exact, as
percentile_cont.
"""

from __future__ import annotations

import bisect
import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from chatlytics.analytics import fetch, hourly
from chatlytics.analytics.hourly import counts_by_bucket
from chatlytics.analytics.numbers import as_float, as_int, ratio
from chatlytics.analytics.percentiles import from_sorted
from chatlytics.analytics.range import UtcTime, Window
from chatlytics.analytics.series import in_window
from chatlytics.store.concurrent_reads import together
from chatlytics.store.database import Database
from chatlytics.store.dialect import (
    bucket_start,
    exact_text,
    json_number,
    json_text,
    time_bucket,
)
from chatlytics.store.projections.abandonment import ABANDON_SECONDS
from chatlytics.store.schema import events, messages

PERCENTILES = (0.5, 0.9, 0.99)
SLOWEST = 10
SlowestBy = Literal["avg", "max"]
# Latency classes of the abandonment table: [low, high) in ms; the last one has no upper bound.
LATENCY_CLASSES: tuple[tuple[str, float, float | None], ...] = (
    ("<1s", 0.0, 1000.0),
    ("1-3s", 1000.0, 3000.0),
    ("3-10s", 3000.0, 10000.0),
    (">=10s", 10000.0, None),
)
CLASS_BOUNDS = tuple(high for _, _, high in LATENCY_CLASSES if high is not None)


class LatencyPoint(BaseModel):
    """Bot response times of one bucket; every percentile null when it holds no bot reply."""

    bucket: UtcTime = Field(description="start of the bucket")
    bot_messages: int
    p50: float | None
    p90: float | None
    p99: float | None


class SlowConversation(BaseModel):
    """A conversation ranked by the latency of its bot replies in the range."""

    conversation_id: str
    bot_messages: int = Field(description="its bot replies created in the range")
    avg_latency_ms: float
    max_latency_ms: float


class ErrorKind(BaseModel):
    kind: str
    count: int
    per_user_message: float = Field(description="count / user messages of the range; 0 without any")


class ErrorRates(BaseModel):
    """`error` events of the range by their `kind`, most frequent first."""

    total_errors: int
    user_messages: int
    error_rate: float = Field(description="total_errors / user_messages; 0 without user messages")
    by_kind: list[ErrorKind]


class SystemPoint(BaseModel):
    """The `performance` samples of one bucket; a figure is null when no sample carries it."""

    bucket: UtcTime
    samples: int
    cpu_percent: float | None = Field(description="mean")
    memory_mb: float | None = Field(description="mean")
    active_connections: int | None = Field(description="maximum")
    response_time_ms: float | None = Field(description="mean")


class AbandonmentClass(BaseModel):
    """Bot replies of one latency class, and those after which the visitor closed the widget."""

    latency: str = Field(description="`<1s`, `1-3s`, `3-10s` or `>=10s`")
    min_ms: float = Field(description="inclusive")
    max_ms: float | None = Field(description="exclusive; null: no bound")
    replies: int
    abandoned: int
    share: float = Field(description="abandoned / replies; 0 without replies")


def _bot_replies(window: Window) -> ColumnElement[bool]:
    m = messages.c
    return sa.and_(
        in_window(m.created_at, window), m.message_type == "bot", m.latency_ms.is_not(None)
    )


@dataclass(frozen=True)
class Replies:
    """The bot replies of a window: latencies sorted per bucket and listed per conversation, and
    per latency class how many were sent and how many abandoned."""

    by_bucket: dict[datetime, list[float]]
    by_conversation: dict[str, list[float]]
    sent: list[int]
    abandoned: list[int]


def _per_class(sorted_lists: Iterable[list[float]]) -> list[int]:
    """How many latencies fall in each class, by bisecting sorted lists, not value by value."""
    below = [0] * (len(CLASS_BOUNDS) + 1)
    for values in sorted_lists:
        for i, high in enumerate(CLASS_BOUNDS):
            below[i] += bisect.bisect_left(values, high)
        below[-1] += len(values)
    return [below[0]] + [below[i] - below[i - 1] for i in range(1, len(below))]


def bot_replies(conn: Connection, window: Window) -> Replies:
    """One pass over the bot replies of the window (read from the index alone, see schema.py),
    with the flag the writer keeps on each (store/projections/abandonment.py)."""
    m = messages.c
    bucket = time_bucket(conn, m.created_at, window.interval)
    query = sa.select(bucket, m.conversation_id, m.latency_ms, m.abandoned).where(
        _bot_replies(window)
    )
    by_key: dict[str, list[float]] = defaultdict(list)
    by_conversation: dict[str, list[float]] = defaultdict(list)
    left: list[float] = []
    for key, conversation, latency, abandoned in fetch.tuples(conn, query):
        by_key[key].append(latency)
        by_conversation[conversation].append(latency)
        if abandoned:
            left.append(latency)
    by_bucket = {bucket_start(key): sorted(values) for key, values in by_key.items()}
    left.sort()
    return Replies(
        by_bucket, dict(by_conversation), _per_class(by_bucket.values()), _per_class([left])
    )


def latency_series(replies: Replies, window: Window) -> list[LatencyPoint]:
    """p50, p90 and p99 of bot reply latency for every bucket of the window, nulls where none."""
    points = []
    for start in window.buckets():
        values = replies.by_bucket.get(start, [])
        p50, p90, p99 = (from_sorted(values, p) for p in PERCENTILES)
        points.append(
            LatencyPoint(bucket=start, bot_messages=len(values), p50=p50, p90=p90, p99=p99)
        )
    return points


def slowest_conversations(replies: Replies, by: SlowestBy = "avg") -> list[SlowConversation]:
    """The SLOWEST conversations by the mean (or the maximum) latency of their bot replies in the
    window; ties by conversation_id in code-point order."""
    measure = max if by == "max" else (lambda values: sum(values) / len(values))
    ranked = heapq.nsmallest(
        SLOWEST, replies.by_conversation.items(), key=lambda item: (-measure(item[1]), item[0])
    )
    return [
        SlowConversation(
            conversation_id=conversation,
            bot_messages=len(values),
            avg_latency_ms=sum(values) / len(values),
            max_latency_ms=max(values),
        )
        for conversation, values in ranked
    ]


@dataclass(frozen=True)
class RawEvents:
    """The window's `error` events counted by kind, and its `performance` samples per bucket
    (samples, mean CPU, mean memory, most connections, mean response time)."""

    errors: list[tuple[str, int]]
    samples: dict[datetime, tuple[Any, ...]]


def raw_events(conn: Connection, window: Window) -> RawEvents:
    """One read of the window's `error` and `performance` events, one range of the type-led events
    index each, grouped by the database."""
    e = events.c
    is_error, is_sample = e.type == "error", e.type == "performance"
    kind = exact_text(conn, json_text(conn, e.properties, "kind"))
    bucket = time_bucket(conn, e.occurred_at, window.interval)
    cpu, memory, active, response = (
        json_number(conn, e.properties, key)
        for key in ("cpu_percent", "memory_mb", "active_connections", "response_time_ms")
    )
    # AVG over doubles is exact enough everywhere (MariaDB rounds it only for integer columns).
    figures = (sa.func.avg(cpu), sa.func.avg(memory), sa.func.max(active), sa.func.avg(response))
    of_errors = sa.case((is_error, kind), else_=sa.null())
    of_samples = sa.case((is_sample, bucket), else_=sa.null())
    query = (
        sa.select(e.type, of_errors, of_samples, sa.func.count(), *figures)
        .where(in_window(e.occurred_at, window), e.type.in_(("error", "performance")))
        .group_by(e.type, of_errors, of_samples)
    )
    errors: list[tuple[str, int]] = []
    samples: dict[datetime, tuple[Any, ...]] = {}
    for type_, name, start, n, *means in conn.execute(query):
        if type_ == "error":
            errors.append((name if name is not None else "", as_int(n)))
        else:
            samples[bucket_start(start)] = (n, *means)
    return RawEvents(errors, samples)


def user_messages(conn: Connection, window: Window) -> int:
    """The user messages of the window: the hourly counts of its user_message events, as a message
    row is made from each message event at its time, without walking the messages."""
    return hourly.by_type(counts_by_bucket(conn, window, {"user_message"}))["user_message"]


def error_rates(raw: RawEvents, questions: int) -> ErrorRates:
    """`error` events of the window per `kind`, and per user message (`questions`) of the window."""
    kinds = sorted(raw.errors, key=lambda item: (-item[1], item[0]))
    total = sum(n for _, n in kinds)
    return ErrorRates(
        total_errors=total,
        user_messages=questions,
        error_rate=ratio(total, questions),
        by_kind=[
            ErrorKind(kind=name, count=n, per_user_message=ratio(n, questions)) for name, n in kinds
        ],
    )


def system_samples(window: Window, raw: RawEvents) -> list[SystemPoint]:
    """Per bucket: how many `performance` samples, their mean CPU, memory and response time, and
    their largest number of active connections."""
    points = []
    for start in window.buckets():
        samples, cpu_mean, memory_mean, most, response_mean = raw.samples.get(
            start, (0, *[None] * 4)
        )
        points.append(
            SystemPoint(
                bucket=start,
                samples=as_int(samples),
                cpu_percent=as_float(cpu_mean),
                memory_mb=as_float(memory_mean),
                active_connections=None if most is None else int(most),
                response_time_ms=as_float(response_mean),
            )
        )
    return points


def abandonment(replies: Replies) -> list[AbandonmentClass]:
    """Per latency class, the bot replies of the window and those the visitor left soon after."""
    gone = replies.abandoned
    return [
        AbandonmentClass(
            latency=name,
            min_ms=low,
            max_ms=high,
            replies=replies.sent[i],
            abandoned=gone[i],
            share=ratio(gone[i], replies.sent[i]),
        )
        for i, (name, low, high) in enumerate(LATENCY_CLASSES)
    ]


class Performance(BaseModel):
    """GET /analytics/performance."""

    response_time_ms: list[LatencyPoint] = Field(
        description="bot reply latency per bucket of `interval`, percentiles as percentile_cont"
    )
    slowest_by: SlowestBy
    slowest_conversations: list[SlowConversation] = Field(
        description=f"at most {SLOWEST}, slowest first by `slowest_by`"
    )
    errors: ErrorRates
    system: list[SystemPoint] = Field(description="`performance` samples per bucket of `interval`")
    abandonment: list[AbandonmentClass] = Field(
        description=f"per latency class: replies, and those followed within {ABANDON_SECONDS} s by "
        "a widget_close of their session with no user message in between"
    )


def performance(db: Database, window: Window, slowest_by: SlowestBy = "avg") -> Performance:
    """Every figure of the performance page; its two reads run at once (store.concurrent_reads)."""
    replies, (raw, questions) = together(
        db,
        lambda conn: bot_replies(conn, window),
        lambda conn: (raw_events(conn, window), user_messages(conn, window)),
    )
    return Performance(
        response_time_ms=latency_series(replies, window),
        slowest_by=slowest_by,
        slowest_conversations=slowest_conversations(replies, slowest_by),
        errors=error_rates(raw, questions),
        system=system_samples(window, raw),
        abandonment=abandonment(replies),
    )
