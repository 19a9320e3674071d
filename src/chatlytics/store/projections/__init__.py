"""Projections: events -> users, sessions, conversations, messages, leads, handovers, close events,
and the first event of each type per session.

Every projection is a function of the set of stored events, not of their arrival order: spans fold with
min / max / arg-max rules, counters recount, and handover assignment and the abandoned flags of bot
replies are recomputed from stored rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Connection

from chatlytics.events import ValidEvent
from chatlytics.store.projections.abandonment import flag_abandoned
from chatlytics.store.projections.asked import link_fallbacks
from chatlytics.store.projections.firsts import project_firsts
from chatlytics.store.projections.handovers import assign_handovers
from chatlytics.store.projections.records import insert_records
from chatlytics.store.projections.spans import project_conversations, project_sessions
from chatlytics.store.projections.users import owners, project_users

SERVER_ONLY = frozenset({"performance"})


def project(conn: Connection, events: list[ValidEvent], *, now: datetime, timeout_s: int) -> None:
    """Apply newly stored events to every projection, inside the caller's transaction."""
    # Performance samples describe the chat server, not a visitor: they stay in the raw log only.
    events = [e for e in events if e.type not in SERVER_ONLY]
    if not events:
        return
    previous_owners = owners(conn, events)
    insert_records(conn, events)
    project_sessions(conn, events)
    # After project_sessions, which locks the sessions' rows: these two read rows of those sessions.
    flag_abandoned(conn, events)
    project_firsts(conn, events)
    project_conversations(conn, events)
    link_fallbacks(conn, events)  # after project_conversations, which locks their rows
    assign_handovers(conn, events)
    project_users(conn, events, previous_owners, now=now, timeout_s=timeout_s)


__all__ = ["project"]
