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

from chatlytics.analytics import percentiles
from chatlytics.analytics.numbers import as_int, count_if, mean, ratio
from chatlytics.analytics.range import UtcTime, Window
from chatlytics.analytics.series import in_window
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


def response_times(conn: Connection, where: ColumnElement[bool]) -> ResponseTimes:
    """Mean and percentiles of `latency_ms` over the bot messages meeting `where`."""
    m = messages.c
    bots = sa.and_(where, m.message_type == "bot")
    values = percentiles.sorted_values(conn, m.latency_ms, bots)
    if values is not None:
        # One fetch gives the count, the histogram, the percentiles, and a mean that does not
        # depend on the order in which the database happens to add the rows (a float SUM does).
        n = len(values)
        p50, p90, p99 = (percentiles.from_sorted(values, p) for p in PERCENTILES)
        average: float | None = math.fsum(values) / n if values else None
        edges = [bisect.bisect_right(values, bound) for bound in HISTOGRAM_BOUNDS] + [n]
    else:
        # Each bucket counts latencies up to its bound: cumulative counts, differenced below.
        upto = [count_if(m.latency_ms <= bound) for bound in HISTOGRAM_BOUNDS]
        count, total, *cumulative = conn.execute(
            sa.select(sa.func.count(m.latency_ms), sa.func.sum(m.latency_ms), *upto).where(bots)
        ).one()
        n = as_int(count)
        p50, p90, p99 = percentiles.by_rank(conn, m.latency_ms, bots, PERCENTILES)
        average = mean(total, count)
        edges = [as_int(c) for c in cumulative] + [n]
    counts = [edges[0]] + [b - a for a, b in itertools.pairwise(edges)]
    bounds: list[float | None] = [*HISTOGRAM_BOUNDS, None]
    histogram = [LatencyBucket(le_ms=b, count=n) for b, n in zip(bounds, counts, strict=True)]
    return ResponseTimes(count=n, avg=average, p50=p50, p90=p90, p99=p99, histogram=histogram)


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


def message_figures(conn: Connection, window: Window) -> MessageFigures:
    """Every figure of the messages page."""
    m = messages.c
    where = in_window(m.created_at, window)
    bot = m.message_type == "bot"
    total, user, bots, system, fallbacks = conn.execute(
        sa.select(
            sa.func.count(),
            count_if(m.message_type == "user"),
            count_if(bot),
            count_if(m.message_type == "system"),
            count_if(sa.and_(bot, m.fallback == sa.true())),
        ).where(where)
    ).one()
    return MessageFigures(
        total_messages=as_int(total),
        user_messages=as_int(user),
        bot_messages=as_int(bots),
        system_messages=as_int(system),
        fallback_messages=as_int(fallbacks),
        response_time_ms=response_times(conn, where),
        fallback_rate=ratio(as_int(fallbacks), as_int(bots)),
        recent_messages=message_rows(conn, where, limit=RECENT),
    )
