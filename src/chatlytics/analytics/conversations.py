"""Conversation figures: conversations are counted by start (`started_at` in the window).

Status: `handover` when a handover names the conversation or was assigned to it, else `completed` when
it ended (conversation_end, or silent for longer than the timeout), else `active`. `total_messages`
here is the number of messages of the conversations started in the window, wherever those messages
fall in time, so that it matches the conversations listed; /analytics/messages counts by message time.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from chatlytics.analytics.numbers import as_int, count_if, mean, ratio
from chatlytics.analytics.range import UtcTime, Window
from chatlytics.analytics.series import in_window
from chatlytics.analytics.status import (
    Clock,
    ConversationStatus,
    conversation_status,
    duration,
    timed_out,
)
from chatlytics.store.schema import conversations

RECENT = 20


class ConversationRow(BaseModel):
    """One conversation as the API shows it."""

    conversation_id: str
    session_id: str
    user_id: str
    started_at: UtcTime
    last_event_at: UtcTime = Field(description="time of the latest event of the conversation")
    ended_at: UtcTime | None = Field(
        description="the conversation_end's time, or the last event's when it timed out; "
        "null while active"
    )
    timed_out: bool = Field(
        description="no conversation_end arrived and it was silent for longer "
        "than SESSION_TIMEOUT_MINUTES"
    )
    status: ConversationStatus
    end_status: str | None = Field(description="the status its conversation_end gave, if any")
    duration_seconds: int | None = Field(description="ended_at - started_at; null while active")
    message_count: int
    user_message_count: int
    bot_message_count: int
    fallback_count: int = Field(description="bot responses marked as fallback")


def conversation_rows(
    conn: Connection, where: ColumnElement[bool], clock: Clock, *, limit: int
) -> list[ConversationRow]:
    """Conversations meeting `where`, newest start first, at most `limit`."""
    c = conversations.c
    silent = timed_out(conversations, clock)
    query = (
        sa.select(
            c.conversation_id,
            c.session_id,
            c.user_id,
            c.started_at,
            c.last_event_at,
            sa.case((silent, c.last_event_at), else_=c.ended_at).label("ended_at"),
            silent.label("timed_out"),
            conversation_status(clock).label("status"),
            c.end_status,
            duration(conversations, clock).label("duration_seconds"),
            c.message_count,
            c.user_message_count,
            c.bot_message_count,
            c.fallback_count,
        )
        .where(where)
        .order_by(c.started_at.desc(), c.conversation_id.desc())
        .limit(limit)
    )
    return [ConversationRow.model_validate(dict(row._mapping)) for row in conn.execute(query)]


@dataclass(frozen=True)
class ConversationTotals:
    """Conversations started in a window, by effective status, with their messages and durations."""

    total: int
    active: int
    completed: int
    handover: int
    ended: int
    average_duration: float
    messages: int


def conversation_totals(conn: Connection, window: Window, clock: Clock) -> ConversationTotals:
    """One pass over the conversations started in the window."""
    status, seconds = conversation_status(clock), duration(conversations, clock)
    query = sa.select(
        sa.func.count(),
        count_if(status == "active"),
        count_if(status == "completed"),
        count_if(status == "handover"),
        sa.func.count(seconds),
        sa.func.sum(seconds),
        sa.func.sum(conversations.c.message_count),
    ).where(in_window(conversations.c.started_at, window))
    total, active, completed, handover, ended, seconds_sum, messages = conn.execute(query).one()
    return ConversationTotals(
        as_int(total),
        as_int(active),
        as_int(completed),
        as_int(handover),
        as_int(ended),
        mean(seconds_sum, ended) or 0.0,
        as_int(messages),
    )


class ConversationFigures(BaseModel):
    """GET /analytics/conversations."""

    total_conversations: int = Field(description="conversations started in the range")
    active_conversations: int = Field(description="of those, still active now (and no handover)")
    completed_conversations: int = Field(description="of those, ended without a handover")
    handover_conversations: int = Field(description="of those, handed over to a human")
    average_duration: float = Field(
        description="mean duration in seconds of those that have ended (conversation_end or "
        "timeout), handovers included; 0 when none has"
    )
    ended_conversations: int = Field(description="how many average_duration is taken over")
    total_messages: int = Field(
        description="messages of the conversations started in the range, whenever sent"
    )
    completion_rate: float = Field(
        description="completed_conversations / total_conversations; 0 when there are none"
    )
    recent_conversations: list[ConversationRow] = Field(
        description=f"at most {RECENT} conversations started in the range, newest first"
    )


def conversation_figures(conn: Connection, window: Window, clock: Clock) -> ConversationFigures:
    """Every figure of the conversations page."""
    totals = conversation_totals(conn, window, clock)
    return ConversationFigures(
        total_conversations=totals.total,
        active_conversations=totals.active,
        completed_conversations=totals.completed,
        handover_conversations=totals.handover,
        average_duration=totals.average_duration,
        ended_conversations=totals.ended,
        total_messages=totals.messages,
        completion_rate=ratio(totals.completed, totals.total),
        recent_conversations=conversation_rows(
            conn, in_window(conversations.c.started_at, window), clock, limit=RECENT
        ),
    )
