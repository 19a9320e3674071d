"""Give each handover that names no conversation to a conversation of its session.

The rule: the latest conversation started at or before the request; if none had started, the first one
started after it. Recomputed from stored rows whenever the session changes, so arrival order is moot.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from chatlytics.events import ValidEvent
from chatlytics.store.bulk import update_rows
from chatlytics.store.projections.rows import IDS, chunks, in_ids
from chatlytics.store.schema import conversations, human_handover

Started = tuple[datetime, str]  # (started_at, conversation_id)
hh, cv = human_handover.c, conversations.c
UNNAMED = hh.conversation_named == sa.false()
SESSIONS_OF_HANDOVERS = sa.select(hh.session_id).where(in_ids(hh.conversation_id), UNNAMED)
PENDING = sa.select(hh.session_id, hh.event_id, hh.requested_at, hh.conversation_id).where(
    in_ids(hh.session_id), UNNAMED
)
STARTED = sa.select(cv.session_id, cv.conversation_id, cv.started_at, cv.handover_assigned).where(
    in_ids(cv.session_id)
)
STARTED_FLAGGED = STARTED.where(cv.handover_assigned == sa.true())


def choose(requested_at: datetime, started: list[Started]) -> str | None:
    """The conversation a handover at `requested_at` belongs to, from its session's conversations."""
    before = [s for s in started if s[0] <= requested_at]
    if before:
        return max(before)[1]
    return min(started)[1] if started else None


def assign_handovers(conn: Connection, events: list[ValidEvent]) -> None:
    """Re-assign the unnamed handovers of every session touched by conversation or handover events."""
    touched = {e.session_id for e in events if e.conversation_id or e.type == "handover_requested"}
    # A conversation can move to another session when an earlier event of it arrives late; the
    # handovers that were given to it in its old session must be looked at again.
    conversation_ids = sorted({e.conversation_id for e in events if e.conversation_id})
    for part in chunks(conversation_ids):
        touched.update(conn.execute(SESSIONS_OF_HANDOVERS, {IDS: part}).scalars())
    pending: dict[str, list[tuple[str, datetime, str | None]]] = defaultdict(list)
    for part in chunks(sorted(touched)):
        for row in conn.execute(PENDING, {IDS: part}):
            pending[row.session_id].append((row.event_id, row.requested_at, row.conversation_id))
    started: dict[str, list[Started]] = defaultdict(list)
    assigned_before: dict[str, bool] = {}
    # Without pending handovers, only flags left over from a conversation that moved can need clearing.
    query = STARTED if pending else STARTED_FLAGGED
    for part in chunks(sorted(touched)):
        for row in conn.execute(query, {IDS: part}):
            started[row.session_id].append((row.started_at, row.conversation_id))
            assigned_before[row.conversation_id] = row.handover_assigned
    handover_moves, assigned_now = [], set()
    for session_id, handovers in pending.items():
        for event_id, requested_at, current in handovers:
            target = choose(requested_at, started[session_id])
            if target is not None:
                assigned_now.add(target)
            if target != current:
                handover_moves.append({"event_id": event_id, "conversation_id": target})
    update_rows(conn, human_handover, "event_id", handover_moves)
    flips = [
        {"conversation_id": cid, "handover_assigned": cid in assigned_now}
        for cid, before in assigned_before.items()
        if before != (cid in assigned_now)
    ]
    update_rows(conn, conversations, "conversation_id", flips)
