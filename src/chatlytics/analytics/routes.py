"""GET /analytics/...: HTTP in, one figure function per endpoint, JSON out. Every route needs a read key.

Handlers are plain `def`: FastAPI runs them on its thread pool, where the blocking database calls
belong. The key is checked first, so a caller without one learns nothing, not even about its
parameters. A window that cannot be served is a 422 naming the parameter and the reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.exceptions import RequestValidationError

from chatlytics.access import ReadKey, UserId
from chatlytics.analytics.conversations import ConversationFigures, conversation_figures
from chatlytics.analytics.event_counts import EventCounts, event_counts
from chatlytics.analytics.handovers import HandoverFigures, handover_figures
from chatlytics.analytics.leads import LeadFigures, lead_figures
from chatlytics.analytics.messages import MessageFigures, message_figures
from chatlytics.analytics.overview import Overview, overview
from chatlytics.analytics.range import MAX_BUCKETS, RangeError, Window, parse_window
from chatlytics.analytics.sessions import SessionFigures, session_figures
from chatlytics.analytics.status import Clock
from chatlytics.analytics.users import UserDetail, user_detail
from chatlytics.context import Context
from chatlytics.store.dialect import Interval
from chatlytics.store.timing import utcnow

router = APIRouter(prefix="/analytics", tags=["analytics"])

From = Annotated[
    str | None,
    Query(
        alias="from",
        description="start, inclusive: ISO date or date-time, UTC unless it has an offset; "
        "default: 30 days before `to`",
        examples=["2026-11-01", "2026-11-01T08:00:00Z"],
    ),
]
To = Annotated[
    str | None,
    Query(
        alias="to",
        description="end, exclusive: ISO date (its 00:00) or date-time, UTC unless it has an offset; "
        "default: now",
    ),
]
IntervalParam = Annotated[
    Interval,
    Query(
        description=f"bucket of the series; weeks start on Monday; at most {MAX_BUCKETS} buckets",
    ),
]


def request_now() -> datetime:
    """One clock reading per request, shared by the window and the timeouts."""
    return utcnow()


Now = Annotated[datetime, Depends(request_now)]


def _window(start: str | None, end: str | None, interval: str | None, now: datetime) -> Window:
    try:
        return parse_window(start, end, interval, now=now)
    except RangeError as exc:
        value = {"from": start, "to": end, "interval": interval}.get(exc.field)
        raise RequestValidationError(
            [
                {
                    "type": "value_error",
                    "loc": ("query", exc.field),
                    "msg": str(exc),
                    "input": value,
                }
            ]
        ) from None


def plain_window(now: Now, start: From = None, end: To = None) -> Window:
    return _window(start, end, None, now)


def series_window(
    now: Now, start: From = None, end: To = None, interval: IntervalParam = "day"
) -> Window:
    return _window(start, end, interval, now)


def daily_window(now: Now, start: From = None, end: To = None) -> Window:
    return _window(start, end, "day", now)


def clock(ctx: Context, now: Now) -> Clock:
    return Clock(now=now, timeout_s=ctx.settings.session_timeout_minutes * 60)


PlainWindow = Annotated[Window, Depends(plain_window)]
SeriesWindow = Annotated[Window, Depends(series_window)]
DailyWindow = Annotated[Window, Depends(daily_window)]
ClockNow = Annotated[Clock, Depends(clock)]


@router.get("/", summary="Headline figures and their series")
def get_overview(_: ReadKey, ctx: Context, window: SeriesWindow, at: ClockNow) -> Overview:
    with ctx.db.read() as conn:
        return overview(conn, window, at)


@router.get("/sessions", summary="Sessions started in the range")
def get_sessions(_: ReadKey, ctx: Context, window: PlainWindow, at: ClockNow) -> SessionFigures:
    with ctx.db.read() as conn:
        return session_figures(conn, window, at)


@router.get("/conversations", summary="Conversations started in the range")
def get_conversations(
    _: ReadKey, ctx: Context, window: PlainWindow, at: ClockNow
) -> ConversationFigures:
    with ctx.db.read() as conn:
        return conversation_figures(conn, window, at)


@router.get("/messages", summary="Messages and bot response times")
def get_messages(_: ReadKey, ctx: Context, window: PlainWindow) -> MessageFigures:
    with ctx.db.read() as conn:
        return message_figures(conn, window)


@router.get(
    "/user/{user_id:path}",
    summary="One user: totals, sessions, leads, handovers",
    responses={404: {"description": "no event of this user has been stored"}},
)
def get_user(_: ReadKey, ctx: Context, user_id: UserId, at: ClockNow) -> UserDetail:
    with ctx.db.read() as conn:
        found = user_detail(conn, user_id, at)
    if found is None:
        raise HTTPException(404, f"unknown user {user_id!r}: no event of this user is stored")
    return found


@router.get("/leads", summary="Leads submitted in the range")
def get_leads(_: ReadKey, ctx: Context, window: DailyWindow) -> LeadFigures:
    with ctx.db.read() as conn:
        return lead_figures(conn, window)


@router.get("/human_handover", summary="Requests for a human in the range")
def get_handovers(_: ReadKey, ctx: Context, window: PlainWindow) -> HandoverFigures:
    with ctx.db.read() as conn:
        return handover_figures(conn, window)


@router.get("/events", summary="Raw events by type, and per bucket")
def get_events(_: ReadKey, ctx: Context, window: SeriesWindow) -> EventCounts:
    with ctx.db.read() as conn:
        return event_counts(conn, window)
