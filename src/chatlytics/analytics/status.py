"""Effective status and duration of sessions and conversations, as SQL, decided at read time.

A span's stored row only knows the events it has seen. Whether a span without an end event has timed
out depends on the clock, so it is decided here: a span whose last event is older than `now - timeout`
counts as ended at its last event. Durations use the precomputed columns (`duration_seconds` for an
explicit end, `active_seconds` for a timeout) so that no query does date arithmetic, which differs on
every database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from chatlytics.store.schema import conversations, sessions

SessionStatus = Literal["active", "completed", "error"]
ConversationStatus = Literal["active", "completed", "handover"]


@dataclass(frozen=True)
class Clock:
    """When the question is asked and after how long a silent span counts as ended."""

    now: datetime
    timeout_s: int

    @property
    def cutoff(self) -> datetime:
        """A span whose last event is before this has timed out."""
        return self.now - timedelta(seconds=self.timeout_s)


def timed_out(table: sa.Table, clock: Clock) -> ColumnElement[bool]:
    """No end event, and silent for longer than the timeout."""
    return sa.and_(table.c.ended_at.is_(None), table.c.last_event_at < clock.cutoff)


def is_ended(table: sa.Table, clock: Clock) -> ColumnElement[bool]:
    """Ended explicitly or by timeout."""
    return sa.or_(table.c.ended_at.is_not(None), table.c.last_event_at < clock.cutoff)


def is_active(table: sa.Table, clock: Clock) -> ColumnElement[bool]:
    """Neither ended nor timed out: someone is still there."""
    return sa.and_(table.c.ended_at.is_(None), table.c.last_event_at >= clock.cutoff)


def duration(table: sa.Table, clock: Clock) -> ColumnElement[Any]:
    """Seconds from start to end (explicit, or the last event on timeout); NULL while active."""
    return sa.case(
        (table.c.ended_at.is_not(None), table.c.duration_seconds),
        (table.c.last_event_at < clock.cutoff, table.c.active_seconds),
        else_=sa.null(),
    )


def session_is_error() -> ColumnElement[bool]:
    """Ended by a session_end whose status is `error` (a timeout is never an error)."""
    s = sessions.c
    return sa.and_(s.ended_at.is_not(None), s.end_status == "error")


def session_status(clock: Clock) -> ColumnElement[str]:
    """`error` | `completed` | `active`, in that order of precedence."""
    return sa.case(
        (session_is_error(), "error"),
        (is_ended(sessions, clock), "completed"),
        else_="active",
    )


def conversation_is_handover() -> ColumnElement[bool]:
    """Handed to a human: named by a handover or a conversation_end, or assigned one."""
    c = conversations.c
    return sa.or_(c.handover_named == sa.true(), c.handover_assigned == sa.true())


def conversation_status(clock: Clock) -> ColumnElement[str]:
    """`handover` | `completed` | `active`, in that order of precedence."""
    return sa.case(
        (conversation_is_handover(), "handover"),
        (is_ended(conversations, clock), "completed"),
        else_="active",
    )
