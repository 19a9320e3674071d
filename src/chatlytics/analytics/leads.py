"""Lead figures: leads are counted by `created_at` (the time of their lead_submitted event).

`by_type` is a list of {lead_type, count}, most frequent first (ties by name), rather than a dict, so that
its order is part of the answer and its OpenAPI schema names both fields. `daily_leads` has one entry
per UTC day that the window touches, zeros included, whatever the `interval` of other figures.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from chatlytics.analytics.numbers import as_int
from chatlytics.analytics.range import UtcTime, Window
from chatlytics.analytics.series import count_by_bucket, in_window, lay_out
from chatlytics.store.dialect import exact_text
from chatlytics.store.schema import lead_analytics

RECENT = 20


class LeadRow(BaseModel):
    """One lead as submitted through the widget."""

    lead_id: str = Field(description="the sender's lead_id, or the event_id when it sent none")
    event_id: str
    user_id: str
    session_id: str
    conversation_id: str | None
    lead_type: str
    name: str | None
    email: str | None
    phone: str | None
    page_url: str | None
    created_at: UtcTime


class LeadTypeCount(BaseModel):
    lead_type: str
    count: int


class DailyCount(BaseModel):
    date: dt.date = Field(description="a UTC day")
    count: int


class LeadFigures(BaseModel):
    """GET /analytics/leads."""

    total_leads: int = Field(description="leads created in the range")
    by_type: list[LeadTypeCount] = Field(description="leads of the range by lead_type, most first")
    daily_leads: list[DailyCount] = Field(
        description="leads per UTC day of the range, zeros included"
    )
    recent_leads: list[LeadRow] = Field(
        description=f"at most {RECENT} leads of the range, newest first"
    )


def lead_rows(conn: Connection, where: ColumnElement[bool], *, limit: int) -> list[LeadRow]:
    """Leads meeting `where`, newest first, at most `limit`."""
    q = lead_analytics.c
    query = (
        sa.select(
            q.lead_id,
            q.event_id,
            q.user_id,
            q.session_id,
            q.conversation_id,
            q.lead_type,
            q.name,
            q.email,
            q.phone,
            q.page_url,
            q.created_at,
        )
        .where(where)
        .order_by(q.created_at.desc(), q.event_id.desc())
        .limit(limit)
    )
    return [LeadRow.model_validate(dict(row._mapping)) for row in conn.execute(query)]


def leads_by_type(conn: Connection, window: Window) -> list[LeadTypeCount]:
    """Leads of the window per lead_type, most frequent first."""
    q = lead_analytics.c
    lead_type = exact_text(conn, q.lead_type)
    query = (
        sa.select(lead_type, sa.func.count())
        .where(in_window(q.created_at, window))
        .group_by(lead_type)
    )
    counted = [LeadTypeCount(lead_type=name, count=as_int(n)) for name, n in conn.execute(query)]
    return sorted(counted, key=lambda item: (-item.count, item.lead_type))


def lead_figures(conn: Connection, window: Window) -> LeadFigures:
    """Every figure of the leads page."""
    q = lead_analytics.c
    where = in_window(q.created_at, window)
    total = as_int(conn.execute(sa.select(sa.func.count()).where(where)).scalar_one())
    days = Window(window.start, window.end, "day")
    daily = lay_out(days, count_by_bucket(conn, q.created_at, days))
    return LeadFigures(
        total_leads=total,
        by_type=leads_by_type(conn, window),
        daily_leads=[DailyCount(date=start.date(), count=n) for start, n in daily],
        recent_leads=lead_rows(conn, where, limit=RECENT),
    )
