"""The engagement score of a user: points for what the user did, from 0 to 100.

| What | Points |
|---|---|
| a session (that belongs to the user) | 2 |
| a user message in one of those sessions | 1 |
| every full 5 minutes of session time (sum over its sessions of last event - start) | 2, at most 24 |
| a lead | 10 |
| a positive feedback (rating 4 or 5) | 4 |
| a negative feedback (rating -1) | -2 |

Ratings 1 to 3 count nothing (1 is a thumbs up or a single star; the two cannot be told apart). The
score is the sum, cut to 0..100. Every part is a whole number, so the score is exact on every database.
Over a window, sessions (with their time and messages) count by start, leads by creation and feedback
by the event's time; the user's page counts the user's whole history. Messages are taken from the
sessions (`user_message_count`) rather than from the messages table: a scan of the latter by time was
most of the cost of scoring every user of a month.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from chatlytics.analytics.numbers import as_int
from chatlytics.store.dialect import json_text
from chatlytics.store.schema import events, lead_analytics, sessions

SESSION_POINTS = 2
MESSAGE_POINTS = 1
TIME_STEP_SECONDS = 300
TIME_STEP_POINTS = 2
TIME_STEPS_CAP = 12  # one hour: 24 points
LEAD_POINTS = 10
POSITIVE_POINTS = 4
NEGATIVE_POINTS = -2
SCORE_CAP = 100
POSITIVE_RATINGS = ("4", "5")
NEGATIVE_RATING = "-1"
COMPONENTS = (
    "sessions",
    "session_seconds",
    "user_messages",
    "leads",
    "positive_feedback",
    "negative_feedback",
)


class EngagementComponents(BaseModel):
    """What a user's engagement score is made of."""

    sessions: int = Field(description="sessions that belong to the user")
    session_seconds: int = Field(
        description="sum over those sessions of last event - start (active ones included)"
    )
    user_messages: int = Field(description="user messages of those sessions")
    leads: int = Field(description="lead_submitted events of the user")
    positive_feedback: int = Field(description="feedback events of the user rated 4 or 5")
    negative_feedback: int = Field(description="feedback events of the user rated -1")


@dataclass(frozen=True)
class Engagement:
    """A user's score and its components."""

    score: int
    components: EngagementComponents


def _part(user: ColumnElement[str], **values: ColumnElement[Any] | int) -> sa.Select[Any]:
    """A SELECT of `user` and the COMPONENTS in that order (UNION ALL matches columns by position):
    the given values, 0 for the others."""
    found = []
    for name in COMPONENTS:
        value = values.get(name, 0)
        column = sa.literal_column(str(value)) if isinstance(value, int) else value
        found.append(column.label(name))
    return sa.select(user.label("user_id"), *found)


def points(
    sessions: int,
    session_seconds: int,
    user_messages: int,
    leads: int,
    positive_feedback: int,
    negative_feedback: int,
) -> int:
    """The score of summed components (whole numbers, so exact), cut to 0..SCORE_CAP."""
    steps = min(session_seconds // TIME_STEP_SECONDS, TIME_STEPS_CAP)
    total = (
        sessions * SESSION_POINTS
        + user_messages * MESSAGE_POINTS
        + steps * TIME_STEP_POINTS
        + leads * LEAD_POINTS
        + positive_feedback * POSITIVE_POINTS
        + negative_feedback * NEGATIVE_POINTS
    )
    return min(max(total, 0), SCORE_CAP)


def feedback_points(conn: Connection) -> tuple[ColumnElement[int], ColumnElement[int]]:
    """Whether a feedback event is positive, and whether it is negative, as 1 or 0."""
    rating = json_text(conn, events.c.properties, "rating")
    return (
        sa.case((rating.in_(POSITIVE_RATINGS), 1), else_=0),
        sa.case((rating == NEGATIVE_RATING, 1), else_=0),
    )


def scoring_rows(conn: Connection, user_id: str) -> list[sa.Select[Any]]:
    """SELECTs of one row per thing of `user_id` that scores, ever, each along its table's user
    index: sum them for the components."""
    s, q, e = sessions.c, lead_analytics.c, events.c
    positive, negative = feedback_points(conn)
    return [
        _part(
            s.user_id,
            sessions=1,
            session_seconds=s.active_seconds,
            user_messages=s.user_message_count,
        ).where(s.user_id == user_id),
        _part(q.user_id, leads=1).where(q.user_id == user_id),
        _part(e.user_id, positive_feedback=positive, negative_feedback=negative).where(
            e.type == "feedback", e.user_id == user_id
        ),
    ]


def engagement_query(conn: Connection, user_id: str) -> sa.Select[Any]:
    """The summed components of `user_id` over its whole history (no row: nothing scored)."""
    rows = sa.union_all(*scoring_rows(conn, user_id)).subquery("scoring")
    return sa.select(
        rows.c.user_id, *[sa.func.sum(rows.c[name]).label(name) for name in COMPONENTS]
    ).group_by(rows.c.user_id)


def engagement_of(parts: Mapping[str, int]) -> Engagement:
    """The engagement of summed components."""
    return Engagement(points(**parts), EngagementComponents(**parts))


def engagement_from(row: Any) -> Engagement:
    """The engagement in a row of `engagement_query`; a None row scored nothing."""
    if row is None:
        return engagement_of(dict.fromkeys(COMPONENTS, 0))
    return engagement_of({name: as_int(getattr(row, name)) for name in COMPONENTS})


def user_engagement(conn: Connection, user_id: str) -> Engagement:
    """The engagement of one user over its whole history."""
    return engagement_from(conn.execute(engagement_query(conn, user_id)).one_or_none())
