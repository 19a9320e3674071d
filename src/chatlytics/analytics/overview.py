"""The overview: headline figures of a window and their series, one query per figure family.

Each figure counts its rows by the time named in its table (sessions and conversations by start,
messages by creation, leads by submission, handovers by request, chatbot opens and errors by the time of
the raw event); users are those active in the window (see `analytics.users`). Messages, opens and
errors are read from the hourly event counts (see `analytics.hourly`).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection

from chatlytics.analytics import hourly
from chatlytics.analytics.hourly import counts_by_bucket
from chatlytics.analytics.numbers import as_int, ratio
from chatlytics.analytics.range import UtcTime, Window
from chatlytics.analytics.series import count_by_bucket, in_window
from chatlytics.analytics.sessions import count_active_sessions, session_totals
from chatlytics.analytics.status import Clock
from chatlytics.analytics.users import active_users
from chatlytics.events import MESSAGE_TYPES
from chatlytics.store.schema import (
    chatbot_close_events,
    conversations,
    human_handover,
    lead_analytics,
    sessions,
)


class OverviewBucket(BaseModel):
    """Counts of one bucket of the series."""

    bucket: UtcTime = Field(description="start of the bucket (hour, day, or week from Monday)")
    sessions: int = Field(description="sessions started in the bucket")
    conversations: int = Field(description="conversations started in the bucket")
    messages: int = Field(description="messages created in the bucket")
    leads: int
    handovers: int


class Overview(BaseModel):
    """GET /analytics/."""

    total_users: int = Field(description="users with a session overlapping the range")
    new_users: int = Field(description="of those, first seen in the range")
    returning_users: int = Field(description="of those, first seen before the range")
    total_sessions: int = Field(description="sessions started in the range")
    active_sessions: int = Field(description="sessions active now, whenever they started")
    avg_session_duration: float = Field(
        description="mean duration in seconds of the sessions started in the range that have "
        "ended (session_end or timeout); 0 when none has"
    )
    total_conversations: int = Field(description="conversations started in the range")
    total_messages: int = Field(description="messages created in the range")
    total_questions: int = Field(description="user messages created in the range")
    total_chatbot_opens: int = Field(description="widget_open events in the range")
    total_chatbot_closes: int = Field(
        description="widget_close events (chatbot_close_events) in the range"
    )
    avg_time_spent_seconds: float = Field(
        description="mean time_spent_seconds of those close events; 0 when none"
    )
    total_leads: int
    total_handovers: int
    total_errors: int = Field(description="error events in the range")
    error_rate: float = Field(description="total_errors / total_questions; 0 when no questions")
    series: list[OverviewBucket] = Field(description="per bucket of `interval`, zeros included")


def _count(conn: Connection, table: sa.Table, column: str, window: Window) -> int:
    query = sa.select(sa.func.count()).select_from(table).where(in_window(table.c[column], window))
    return as_int(conn.execute(query).scalar_one())


def overview_series(
    conn: Connection, window: Window, messages_by_bucket: dict[datetime, int]
) -> list[OverviewBucket]:
    """Sessions, conversations, messages (counted by the caller), leads and handovers per bucket of
    the window."""
    counts = {
        "sessions": count_by_bucket(conn, sessions.c.started_at, window),
        "conversations": count_by_bucket(conn, conversations.c.started_at, window),
        "messages": messages_by_bucket,
        "leads": count_by_bucket(conn, lead_analytics.c.created_at, window),
        "handovers": count_by_bucket(conn, human_handover.c.requested_at, window),
    }
    return [
        OverviewBucket(
            bucket=start, **{name: found.get(start, 0) for name, found in counts.items()}
        )
        for start in window.buckets()
    ]


def overview(conn: Connection, window: Window, clock: Clock) -> Overview:
    """Every figure of the overview page."""
    present = active_users(conn, window)
    started = session_totals(conn, window, clock)
    # A message row is made from each message event, at its time: their counts are the same.
    counted = counts_by_bucket(conn, window, {*MESSAGE_TYPES, "widget_open", "error"})
    of_type = hourly.by_type(counted)
    total_messages = sum(of_type[kind] for kind in MESSAGE_TYPES)
    questions, opens, errors = (of_type[kind] for kind in ("user_message", "widget_open", "error"))
    c = chatbot_close_events.c
    closes, spent = conn.execute(
        sa.select(sa.func.count(), sa.func.sum(c.time_spent_seconds)).where(
            in_window(c.closed_at, window)
        )
    ).one()
    closes = as_int(closes)
    return Overview(
        total_users=present.total,
        new_users=present.new,
        returning_users=present.returning,
        total_sessions=started.total,
        active_sessions=count_active_sessions(conn, clock),
        avg_session_duration=started.average_duration,
        total_conversations=_count(conn, conversations, "started_at", window),
        total_messages=total_messages,
        total_questions=questions,
        total_chatbot_opens=opens,
        total_chatbot_closes=closes,
        avg_time_spent_seconds=float(spent or 0) / closes if closes else 0.0,
        total_leads=_count(conn, lead_analytics, "created_at", window),
        total_handovers=_count(conn, human_handover, "requested_at", window),
        total_errors=errors,
        error_rate=ratio(errors, questions),
        series=overview_series(conn, window, hourly.by_bucket(counted, MESSAGE_TYPES)),
    )
