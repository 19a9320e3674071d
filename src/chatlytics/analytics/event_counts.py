"""Raw event counts: every stored event by type, catalogue and custom alike, by `occurred_at`.

Read from the hourly counts kept beside the raw log (analytics/hourly.py), not from the log itself.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection

from chatlytics.analytics import hourly
from chatlytics.analytics.hourly import counts_by_bucket
from chatlytics.analytics.range import UtcTime, Window
from chatlytics.analytics.series import lay_out
from chatlytics.events import CATALOGUE


class TypeCount(BaseModel):
    type: str
    count: int
    custom: bool = Field(description="the type is not in the event catalogue")


class EventBucket(BaseModel):
    bucket: UtcTime = Field(description="start of the bucket")
    events: int


class EventCounts(BaseModel):
    """GET /analytics/events."""

    total_events: int = Field(description="events that occurred in the range")
    by_type: list[TypeCount] = Field(description="events of the range per type, most first")
    series: list[EventBucket] = Field(description="events per bucket of `interval`, zeros included")


def event_counts(conn: Connection, window: Window) -> EventCounts:
    """Events of the window by type, and per bucket."""
    counts = counts_by_bucket(conn, window)
    by_type = sorted(
        (
            TypeCount(type=name, count=n, custom=name not in CATALOGUE)
            for name, n in hourly.by_type(counts).items()
        ),
        key=lambda item: (-item.count, item.type),
    )
    series = lay_out(window, hourly.by_bucket(counts))
    return EventCounts(
        total_events=sum(item.count for item in by_type),
        by_type=by_type,
        series=[EventBucket(bucket=start, events=n) for start, n in series],
    )
