"""Capacity: how many sessions run at once at the peak, when in the week traffic comes, and where the
weekly number of sessions is heading.

Concurrency is exact: a sweep over the sessions overlapping the range, +1 at each start and -1 at each
effective end, summed in time order by the database (a window function), which hands back only the
peak. The heatmap is counted per hour by the database and folded into the week here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from chatlytics.analytics import hourly
from chatlytics.analytics.hourly import counts_by_bucket
from chatlytics.analytics.numbers import as_int
from chatlytics.analytics.range import UtcTime, Window
from chatlytics.analytics.series import count_by_bucket
from chatlytics.analytics.status import Clock, timed_out
from chatlytics.events import MESSAGE_TYPES
from chatlytics.store.schema import UtcDateTime, sessions

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DEFAULT_HORIZON = 4
MAX_HORIZON = 52


def effective_end(clock: Clock) -> ColumnElement[Any]:
    """A session's end: its session_end, else its last event once timed out, else now."""
    s = sessions.c
    return sa.case(
        (s.ended_at.is_not(None), s.ended_at),
        (timed_out(sessions, clock), s.last_event_at),
        else_=sa.literal(clock.now, UtcDateTime),
    )


def peak_concurrency(conn: Connection, window: Window, clock: Clock) -> tuple[int, datetime | None]:
    """The largest number of sessions present at once in the window, each from its start to its
    effective end (both included), and the first moment of the window when it is reached (0 and
    None when no session overlaps the window)."""
    s = sessions.c
    end = effective_end(clock)
    present = sa.and_(s.started_at < window.end, end >= window.start)
    # A session already running at `from` enters the sweep at `from`.
    start = sa.case(
        (s.started_at < window.start, sa.literal(window.start, UtcDateTime)), else_=s.started_at
    )
    steps = sa.union_all(
        sa.select(start.label("at"), sa.literal(1).label("step")).where(present),
        sa.select(end.label("at"), sa.literal(-1).label("step")).where(present),
    ).subquery()
    # Starts before ends at the same moment: a session ending as another starts overlaps it.
    level = sa.func.sum(steps.c.step).over(
        order_by=(steps.c.at, steps.c.step.desc()), rows=(None, 0)
    )
    levels = sa.select(steps.c.at, level.label("level")).subquery()
    query = sa.select(levels.c.level, levels.c.at).order_by(levels.c.level.desc(), levels.c.at)
    top = conn.execute(query.limit(1)).first()
    return (0, None) if top is None else (as_int(top[0]), top[1])


class Heatmap(BaseModel):
    """Counts per UTC day of the week (rows, Monday first) and hour (columns, 0 to 23)."""

    sessions: list[list[int]] = Field(description="sessions started, 7 rows of 24")
    messages: list[list[int]] = Field(description="messages created, 7 rows of 24")


def _by_hour_of_week(hourly: dict[datetime, int]) -> list[list[int]]:
    grid = [[0] * 24 for _ in DAYS]
    for start, n in hourly.items():
        grid[start.weekday()][start.hour] += n
    return grid


def week_heatmap(conn: Connection, window: Window) -> Heatmap:
    """Sessions started and messages created in the window, per hour of the week (UTC)."""
    hours = Window(window.start, window.end, "hour")
    # Hour buckets cut the stored text on SQLite, where its date functions cost twice as much.
    started = count_by_bucket(conn, sessions.c.started_at, hours)
    # A message row is made from each message event, at its time: their counts are the same.
    created = hourly.by_bucket(counts_by_bucket(conn, hours, MESSAGE_TYPES))
    return Heatmap(sessions=_by_hour_of_week(started), messages=_by_hour_of_week(created))


class WeekCount(BaseModel):
    week: date = Field(description="its Monday")
    sessions: int = Field(description="sessions started in the week and in the range")
    complete: bool = Field(
        description="the whole week lies in the range and is over (the trend uses these)"
    )


class Projected(BaseModel):
    week: date
    sessions: float = Field(description="the trend's value for the week, never below 0")


class Growth(BaseModel):
    """Sessions per week, their least-squares trend over the complete weeks, and its extension."""

    weeks: list[WeekCount] = Field(description="every week overlapping the range, in order")
    slope_per_week: float | None = Field(
        description="sessions gained (or lost) per week; null with fewer than 2 complete weeks"
    )
    intercept: float | None = Field(description="the trend's value for the first complete week")
    projection: list[Projected] = Field(
        description="the trend for the `horizon` weeks after the last complete week"
    )


def fit(values: list[int]) -> tuple[float, float] | None:
    """Least-squares (slope, intercept) of values[i] against i; None for fewer than 2 values."""
    n = len(values)
    if n < 2:
        return None
    x_mean, y_mean = (n - 1) / 2, sum(values) / n
    spread = sum((x - x_mean) ** 2 for x in range(n))
    slope = sum((x - x_mean) * (y - y_mean) for x, y in enumerate(values)) / spread
    return slope, y_mean - slope * x_mean


def growth(
    conn: Connection, window: Window, now: datetime, horizon: int = DEFAULT_HORIZON
) -> Growth:
    """Sessions started per week of the window, their trend, and the trend `horizon` weeks on.

    Only weeks that are over count as complete: the week under way, and any after it, would pull the
    line down (the range may well end in the future, as "this month" does)."""
    weekly = Window(window.start, window.end, "week")
    over = Window(window.start, min(window.end, now), "week")
    counted = count_by_bucket(conn, sessions.c.started_at, weekly)
    weeks = [
        WeekCount(
            week=monday.date(),
            sessions=counted.get(monday, 0),
            complete=over.holds(monday),
        )
        for monday in weekly.buckets()
    ]
    complete = [w for w in weeks if w.complete]
    line = fit([w.sessions for w in complete])
    if line is None:
        return Growth(weeks=weeks, slope_per_week=None, intercept=None, projection=[])
    slope, intercept = line
    last = complete[-1].week
    projection = [
        Projected(
            week=last + timedelta(weeks=ahead),
            sessions=max(0.0, intercept + slope * (len(complete) - 1 + ahead)),
        )
        for ahead in range(1, horizon + 1)
    ]
    return Growth(weeks=weeks, slope_per_week=slope, intercept=intercept, projection=projection)


class Capacity(BaseModel):
    """GET /analytics/capacity."""

    peak_concurrent_sessions: int = Field(
        description="the most sessions present at one moment of the range; 0 when none overlaps it"
    )
    peak_at: UtcTime | None = Field(description="the first moment of the range with that many")
    heatmap: Heatmap
    growth: Growth


def capacity(
    conn: Connection, window: Window, clock: Clock, horizon: int = DEFAULT_HORIZON
) -> Capacity:
    """Every figure of the capacity page."""
    peak, peak_at = peak_concurrency(conn, window, clock)
    return Capacity(
        peak_concurrent_sessions=peak,
        peak_at=peak_at,
        heatmap=week_heatmap(conn, window),
        growth=growth(conn, window, clock.now, horizon),
    )
