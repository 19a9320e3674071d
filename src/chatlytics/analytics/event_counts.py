"""Raw event counts: every stored event by type, catalogue and custom alike, by `occurred_at`.

Both queries are served by the (occurred_at, type) index of the raw log without reading its rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection

from chatlytics.analytics.numbers import as_int
from chatlytics.analytics.range import UtcTime, Window
from chatlytics.analytics.series import count_by_bucket, in_window, lay_out
from chatlytics.events import CATALOGUE
from chatlytics.store.schema import events


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
    e = events.c
    query = (
        sa.select(e.type, sa.func.count()).where(in_window(e.occurred_at, window)).group_by(e.type)
    )
    by_type = sorted(
        (
            TypeCount(type=name, count=as_int(n), custom=name not in CATALOGUE)
            for name, n in conn.execute(query)
        ),
        key=lambda item: (-item.count, item.type),
    )
    series = lay_out(window, count_by_bucket(conn, e.occurred_at, window))
    return EventCounts(
        total_events=sum(item.count for item in by_type),
        by_type=by_type,
        series=[EventBucket(bucket=start, events=n) for start, n in series],
    )
