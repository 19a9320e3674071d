"""Message figures: messages are counted by `created_at` (the clock-corrected time of the event).

Response times are the `latency_ms` the chat server reported on its bot responses in the window; the
percentiles are exact (see `analytics.percentiles`), the same on every database.
"""

from __future__ import annotations

import bisect
import itertools
import math

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from chatlytics.analytics import fetch, hourly, percentiles
from chatlytics.analytics.hourly import counts_by_bucket
from chatlytics.analytics.numbers import as_int, count_if, mean, ratio
from chatlytics.analytics.range import UtcTime, Window
from chatlytics.analytics.series import in_window
from chatlytics.events import MESSAGE_TYPES
from chatlytics.store.schema import messages

RECENT = 20
PERCENTILES = (0.5, 0.9, 0.99)


class MessageRow(BaseModel):
    """One message as the API shows it; `content` is the text as sent, returned as plain data."""

    message_id: str = Field(
        description="the sender's message_id, or the event_id when it sent none"
    )
    event_id: str
    conversation_id: str
    session_id: str
    user_id: str
    message_type: str = Field(description="`user`, `bot` or `system`")
    content: str
    created_at: UtcTime
    latency_ms: float | None = Field(description="bot responses: time the bot took to answer")
    fallback: bool = Field(description="bot responses: the bot could not answer")
    model: str | None
    tokens_in: int | None
    tokens_out: int | None
    cost: float | None


# Upper bounds (ms) of the histogram's buckets; the last bucket has none.
HISTOGRAM_BOUNDS = (250.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0)


class LatencyBucket(BaseModel):
    """Bot responses whose latency is above the previous bucket's bound and at most `le_ms`."""

    le_ms: float | None = Field(description="upper bound in ms, inclusive; null: no bound")
    count: int


class ResponseTimes(BaseModel):
    """Distribution of bot response latency in milliseconds; every value null when there is none."""

    count: int = Field(description="bot responses with a latency in the range")
    avg: float | None
    p50: float | None
    p90: float | None
    p99: float | None
    histogram: list[LatencyBucket] = Field(
        description="counts per latency bucket (≤250, ≤500, ≤1000, ≤2000, ≤5000, ≤10000 ms, more)"
    )


class MessageFigures(BaseModel):
    """GET /analytics/messages."""

    total_messages: int = Field(description="messages created in the range")
    user_messages: int
    bot_messages: int
    system_messages: int
    fallback_messages: int = Field(description="bot messages marked as fallback")
    response_time_ms: ResponseTimes = Field(
        description="over the bot messages of the range; percentiles as PostgreSQL's "
        "percentile_cont (linear interpolation between closest ranks)"
    )
    fallback_rate: float = Field(
        description="fallback_messages / bot_messages; 0 when no bot messages"
    )
    recent_messages: list[MessageRow] = Field(
        description=f"at most {RECENT} messages of the range, newest first"
    )


def _times(values: list[float]) -> ResponseTimes:
    """The figures of sorted latencies. Their mean is taken with fsum, which does not depend on
    the order in which the database happens to hand the rows over (a float SUM does)."""
    n = len(values)
    p50, p90, p99 = (percentiles.from_sorted(values, p) for p in PERCENTILES)
    average = math.fsum(values) / n if values else None
    edges = [bisect.bisect_right(values, bound) for bound in HISTOGRAM_BOUNDS] + [n]
    return _response_times(n, average, [p50, p90, p99], edges)


def _response_times(
    n: int, average: float | None, ranks: list[float | None], edges: list[int]
) -> ResponseTimes:
    counts = [edges[0]] + [b - a for a, b in itertools.pairwise(edges)]
    bounds: list[float | None] = [*HISTOGRAM_BOUNDS, None]
    histogram = [LatencyBucket(le_ms=b, count=k) for b, k in zip(bounds, counts, strict=True)]
    p50, p90, p99 = ranks
    return ResponseTimes(count=n, avg=average, p50=p50, p90=p90, p99=p99, histogram=histogram)


def _ranked_times(conn: Connection, bots: ColumnElement[bool]) -> ResponseTimes:
    """Beyond FETCH_ALL latencies: aggregates, and percentiles from the values around each rank."""
    m = messages.c
    # Each bucket counts latencies up to its bound: cumulative counts, differenced.
    upto = [count_if(m.latency_ms <= bound) for bound in HISTOGRAM_BOUNDS]
    count, total, *cumulative = conn.execute(
        sa.select(sa.func.count(m.latency_ms), sa.func.sum(m.latency_ms), *upto).where(bots)
    ).one()
    n = as_int(count)
    ranks = percentiles.by_rank(conn, m.latency_ms, bots, PERCENTILES)
    return _response_times(n, mean(total, count), ranks, [as_int(c) for c in cumulative] + [n])


def bot_replies(
    conn: Connection, where: ColumnElement[bool], bots: int
) -> tuple[ResponseTimes, int]:
    """The response times, and how many were fallbacks, of the `bots` bot messages meeting `where`:
    up to FETCH_ALL, from one read of them counted per latency and fallback flag."""
    m = messages.c
    if bots > percentiles.FETCH_ALL:
        fallback = sa.select(sa.func.count()).where(
            where, m.message_type == "bot", m.fallback == sa.true()
        )
        times = _ranked_times(conn, sa.and_(where, m.message_type == "bot"))
        return times, as_int(conn.execute(fallback).scalar_one())
    # Counted per distinct (latency, fallback): latencies repeat (a month's 244,000 replies held
    # 30,000 values), and handing over a row per reply was most of the time on MariaDB. No figure
    # depends on the order the database hands them over in (the mean is an fsum).
    kinds = (m.latency_ms, m.fallback)
    query = (
        sa.select(*kinds, sa.func.count()).where(where, m.message_type == "bot").group_by(*kinds)
    )
    rows = fetch.tuples(conn, query)
    values: list[float] = []
    for latency, n in sorted((float(latency), n) for latency, _, n in rows if latency is not None):
        values.extend(itertools.repeat(latency, n))
    return _times(values), sum(n for _, fallback, n in rows if fallback)


def message_rows(conn: Connection, where: ColumnElement[bool], *, limit: int) -> list[MessageRow]:
    """Messages meeting `where`, newest first, at most `limit`."""
    m = messages.c
    query = (
        sa.select(
            m.message_id,
            m.event_id,
            m.conversation_id,
            m.session_id,
            m.user_id,
            m.message_type,
            m.content,
            m.created_at,
            m.latency_ms,
            m.fallback,
            m.model,
            m.tokens_in,
            m.tokens_out,
            m.cost,
        )
        .where(where)
        .order_by(m.created_at.desc(), m.event_id.desc())
        .limit(limit)
    )
    return [MessageRow.model_validate(dict(row._mapping)) for row in conn.execute(query)]


def recent_messages(conn: Connection, window: Window, *, limit: int) -> list[MessageRow]:
    """The newest `limit` messages of the window, read from the range from the limit-th newest
    time (walked back in the time index) to the end: ordered by (time, event_id), MariaDB sorted
    every message of the window (a month: 250 ms)."""
    m = messages.c
    times = sa.select(m.created_at).where(in_window(m.created_at, window))
    nth = times.order_by(m.created_at.desc()).offset(limit - 1).limit(1)
    since = conn.execute(nth).scalar_one_or_none() if limit > 0 else None
    # A window starting there, not a second lower bound: SQLite walked the range from the first.
    newest = Window(since, window.end) if since is not None else window
    return message_rows(conn, in_window(m.created_at, newest), limit=limit)


def message_figures(conn: Connection, window: Window) -> MessageFigures:
    """Every figure of the messages page."""
    where = in_window(messages.c.created_at, window)
    # A message row is made from each message event, at its time: the hourly counts of those
    # events are the counts by message type, without walking the messages of the window.
    of_type = hourly.by_type(counts_by_bucket(conn, window, MESSAGE_TYPES))
    user, bots, system = (
        of_type[kind] for kind in ("user_message", "bot_response", "system_message")
    )
    times, fallbacks = bot_replies(conn, where, bots)
    return MessageFigures(
        total_messages=user + bots + system,
        user_messages=user,
        bot_messages=bots,
        system_messages=system,
        fallback_messages=fallbacks,
        response_time_ms=times,
        fallback_rate=ratio(fallbacks, bots),
        recent_messages=recent_messages(conn, window, limit=RECENT),
    )
