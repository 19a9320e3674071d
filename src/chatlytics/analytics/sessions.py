"""Session figures: sessions are counted by start (`started_at` in the window).

Status and duration are the effective ones of `analytics.status`: a session without a session_end that
has been silent for longer than the timeout counts as completed, ended at its last event.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from chatlytics.analytics.numbers import as_int, count_if, mean
from chatlytics.analytics.range import UtcTime, Window
from chatlytics.analytics.series import in_window
from chatlytics.analytics.status import (
    Clock,
    SessionStatus,
    duration,
    is_active,
    session_status,
    timed_out,
)
from chatlytics.store.schema import sessions

RECENT = 20


class SessionRow(BaseModel):
    """One session as the API shows it."""

    session_id: str
    user_id: str = Field(description="the user of the session's first event")
    started_at: UtcTime
    last_event_at: UtcTime = Field(description="time of the latest event of the session")
    ended_at: UtcTime | None = Field(
        description="the session_end's time, or the last event's when the session timed out; "
        "null while active"
    )
    timed_out: bool = Field(
        description="no session_end arrived and the session was silent for "
        "longer than SESSION_TIMEOUT_MINUTES"
    )
    status: SessionStatus
    end_source: str | None = Field(description="`backend` or `widget`: who sent the session_end")
    duration_seconds: int | None = Field(description="ended_at - started_at; null while active")
    event_count: int
    message_count: int
    has_widget: bool = Field(description="the widget sent events for this session")
    has_backend: bool = Field(description="the chat server sent events for this session")
    city: str | None
    region: str | None
    country: str | None


def session_rows(
    conn: Connection, where: ColumnElement[bool], clock: Clock, *, limit: int
) -> list[SessionRow]:
    """Sessions meeting `where`, newest start first, at most `limit`."""
    s = sessions.c
    status, seconds, silent = (
        session_status(clock),
        duration(sessions, clock),
        timed_out(sessions, clock),
    )
    query = (
        sa.select(
            s.session_id,
            s.user_id,
            s.started_at,
            s.last_event_at,
            sa.case((silent, s.last_event_at), else_=s.ended_at).label("ended_at"),
            silent.label("timed_out"),
            status.label("status"),
            s.end_source,
            seconds.label("duration_seconds"),
            s.event_count,
            s.message_count,
            s.has_widget,
            s.has_backend,
            s.city,
            s.region,
            s.country,
        )
        .where(where)
        .order_by(s.started_at.desc(), s.session_id.desc())
        .limit(limit)
    )
    return [SessionRow.model_validate(dict(row._mapping)) for row in conn.execute(query)]


class SessionFigures(BaseModel):
    """GET /analytics/sessions."""

    total_sessions: int = Field(description="sessions started in the range")
    active_sessions: int = Field(description="of those, still active now")
    completed_sessions: int = Field(
        description="of those, ended (session_end or timeout), not error"
    )
    error_sessions: int = Field(description="of those, ended by a session_end with status error")
    active_now: int = Field(description="every session active now, whenever it started")
    today_sessions: int = Field(description="sessions started since 00:00 UTC today, any range")
    average_duration: float = Field(
        description="mean duration in seconds of the sessions started in the range that have "
        "ended; 0 when none has"
    )
    ended_sessions: int = Field(description="how many sessions average_duration is taken over")
    recent_sessions: list[SessionRow] = Field(
        description=f"at most {RECENT} sessions started in the range, newest first"
    )


def count_active_sessions(conn: Connection, clock: Clock) -> int:
    """Sessions active now, whenever they started (served by the last_event_at index)."""
    query = sa.select(sa.func.count()).where(is_active(sessions, clock))
    return as_int(conn.execute(query).scalar_one())


@dataclass(frozen=True)
class SessionTotals:
    """Sessions started in a window, by effective status, and the mean duration of the ended ones."""

    total: int
    active: int
    completed: int
    error: int
    ended: int
    average_duration: float


def session_totals(conn: Connection, window: Window, clock: Clock) -> SessionTotals:
    """Counts by status, and the mean duration of the ended ones, for sessions started in range."""
    status, seconds = session_status(clock), duration(sessions, clock)
    query = sa.select(
        sa.func.count(),
        count_if(status == "active"),
        count_if(status == "completed"),
        count_if(status == "error"),
        sa.func.count(seconds),
        sa.func.sum(seconds),
    ).where(in_window(sessions.c.started_at, window))
    total, active, completed, error, ended, seconds_sum = conn.execute(query).one()
    return SessionTotals(
        as_int(total),
        as_int(active),
        as_int(completed),
        as_int(error),
        as_int(ended),
        mean(seconds_sum, ended) or 0.0,
    )


def session_figures(conn: Connection, window: Window, clock: Clock) -> SessionFigures:
    """Every figure of the sessions page."""
    totals = session_totals(conn, window, clock)
    today = clock.now.replace(hour=0, minute=0, second=0, microsecond=0)
    started_today = sa.select(sa.func.count()).where(sessions.c.started_at >= today)
    return SessionFigures(
        total_sessions=totals.total,
        active_sessions=totals.active,
        completed_sessions=totals.completed,
        error_sessions=totals.error,
        active_now=count_active_sessions(conn, clock),
        today_sessions=as_int(conn.execute(started_today).scalar_one()),
        average_duration=totals.average_duration,
        ended_sessions=totals.ended,
        recent_sessions=session_rows(
            conn, in_window(sessions.c.started_at, window), clock, limit=RECENT
        ),
    )
