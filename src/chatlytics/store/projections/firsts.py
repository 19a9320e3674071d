"""The first event of each type per session and user: the rows the funnel starts from.

A funnel needs each visitor's first event of every step type in a range. Grouping a month's raw
events per visitor read every page view and message of it; most sessions lie wholly inside the
range, and for those the first event of a type in the range is the session's first one, kept here
(a minimum, so the same whatever order the events arrive in). The funnel reads the raw log only
for the few sessions that straddle the range's start.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from chatlytics.events import ValidEvent
from chatlytics.store.dialect import Dialect, dialect_of, least, upsert
from chatlytics.store.projections.rows import chunks
from chatlytics.store.schema import first_events

Key = tuple[str, str, str]  # session_id, user_id, type

f = first_events.c


@functools.cache
def _upsert(dialect: Dialect) -> Any:
    """Insert a row, or keep the earlier of its time and the stored one: one statement for the
    batch, without reading the stored rows first."""
    return upsert(dialect, first_events, lambda stored, incoming: least(dialect, stored, incoming))


def project_firsts(conn: Connection, events: Iterable[ValidEvent]) -> None:
    """Fold newly stored events into the first time of their session, user and type."""
    earliest: dict[Key, datetime] = {}
    for e in events:
        key = (e.session_id, e.user_id, e.type)
        if key not in earliest or e.occurred_at < earliest[key]:
            earliest[key] = e.occurred_at
    if earliest:
        rows = [
            {"session_id": s, "user_id": u, "type": t, "first_at": at}
            for (s, u, t), at in sorted(earliest.items())  # one order for every writer: no deadlock
        ]
        conn.execute(_upsert(dialect_of(conn)), rows)


def reproject_firsts(conn: Connection, sessions: list[str], events: Iterable[ValidEvent]) -> int:
    """The rows of `sessions` again from `events`, all the events those sessions still have;
    returns how many rows fewer they have now."""
    removed = 0
    for part in chunks(sorted(sessions)):
        removed += conn.execute(sa.delete(first_events).where(f.session_id.in_(part))).rowcount
    kept = list(events)
    project_firsts(conn, kept)
    return removed - len({(e.session_id, e.user_id, e.type) for e in kept})
