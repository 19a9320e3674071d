"""User figures: who was there in a window, and everything about one user.

A user is *active in a window* when one of its sessions overlaps the window: the session started before
the window's end and its last event is at or after the window's start. (Sessions belong to the user of
their first event.) Among those users, *new* ones were first seen at or after the window's start, and
*returning* ones before it, so that new + returning = total.

The users table's `total_duration` and `is_active` are snapshots taken when the user's events were
written; both depend on the clock (timeouts), so the API recomputes them from the sessions. The user's
engagement score (see `analytics.engagement`) covers its whole history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection

from chatlytics.analytics.engagement import EngagementComponents, user_engagement
from chatlytics.analytics.handovers import HandoverRow, handover_rows
from chatlytics.analytics.leads import LeadRow, lead_rows
from chatlytics.analytics.numbers import as_int, count_if
from chatlytics.analytics.range import UtcTime, Window
from chatlytics.analytics.sessions import SessionRow, session_rows
from chatlytics.analytics.status import Clock, duration, is_active
from chatlytics.store.schema import human_handover, lead_analytics, sessions, users

HISTORY = 500


@dataclass(frozen=True)
class ActiveUsers:
    """Users active in a window, split by whether they were first seen in it."""

    total: int
    new: int
    returning: int


def active_users(conn: Connection, window: Window) -> ActiveUsers:
    """The users with a session overlapping the window."""
    s, u = sessions.c, users.c
    present = (
        sa.select(s.user_id)
        .where(s.started_at < window.end, s.last_event_at >= window.start)
        .distinct()
        .subquery()
    )
    query = sa.select(
        sa.func.count(),
        count_if(u.first_seen_at >= window.start),
        count_if(u.first_seen_at < window.start),
    ).select_from(present.join(users, u.user_id == present.c.user_id))
    total, new, returning = conn.execute(query).one()
    return ActiveUsers(as_int(total), as_int(new), as_int(returning))


def user_type(total_sessions: int) -> Literal["new", "returning"]:
    """`new` with at most one session, else `returning`."""
    return "new" if total_sessions <= 1 else "returning"


class UserDetail(BaseModel):
    """GET /analytics/user/{user_id}."""

    user_id: str
    first_seen_at: UtcTime = Field(description="time of the user's earliest event")
    last_active_at: UtcTime = Field(description="time of the user's latest event")
    total_sessions: int
    total_messages: int
    total_conversations: int
    last_page_url: str | None = Field(
        description="page_url of the user's latest event that had one"
    )
    user_type: Literal["new", "returning"] = Field(description="`new` with at most one session")
    total_duration: int = Field(
        description="seconds: sum of the durations of the user's ended sessions, timed-out ones "
        "included (computed now, not stored)"
    )
    is_active: bool = Field(description="the user has a session active now (computed now)")
    active_sessions: int = Field(description="how many of the user's sessions are active now")
    session_history: list[SessionRow] = Field(
        description=f"the user's sessions, newest first, at most {HISTORY}"
    )
    leads: list[LeadRow] = Field(description=f"the user's leads, newest first, at most {HISTORY}")
    handovers: list[HandoverRow] = Field(
        description=f"the user's handover requests, newest first, at most {HISTORY}"
    )
    engagement_score: int = Field(
        description="0 to 100, from the user's whole history (see `engagement_components`)"
    )
    engagement_components: EngagementComponents


def user_detail(conn: Connection, user_id: str, clock: Clock) -> UserDetail | None:
    """Everything about one user; None if no event of that user was ever stored."""
    u = users.c
    row = conn.execute(sa.select(users).where(u.user_id == user_id)).one_or_none()
    if row is None:
        return None
    own = sessions.c.user_id == user_id
    total_duration, active = conn.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(duration(sessions, clock)), 0),
            count_if(is_active(sessions, clock)),
        ).where(own)
    ).one()
    engagement = user_engagement(conn, user_id)
    return UserDetail(
        user_id=row.user_id,
        first_seen_at=row.first_seen_at,
        last_active_at=row.last_active_at,
        total_sessions=row.total_sessions,
        total_messages=row.total_messages,
        total_conversations=row.total_conversations,
        last_page_url=row.last_page_url,
        user_type=user_type(row.total_sessions),
        total_duration=as_int(total_duration),
        is_active=as_int(active) > 0,
        active_sessions=as_int(active),
        session_history=session_rows(conn, own, clock, limit=HISTORY),
        leads=lead_rows(conn, lead_analytics.c.user_id == user_id, limit=HISTORY),
        handovers=handover_rows(conn, human_handover.c.user_id == user_id, limit=HISTORY),
        engagement_score=engagement.score,
        engagement_components=engagement.components,
    )
