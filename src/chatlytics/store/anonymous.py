"""Counts of events received but not stored (no consent, known bots): day, type and reason only."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from chatlytics.store.schema import anonymous_counts

Key = tuple[date, str, str]  # (day, event type, reason)


def add_counts(conn: Connection, counts: Mapping[Key, int]) -> None:
    """Add to the day's counters (read, then update or insert: the same on every database)."""
    if not counts:
        return
    a = anonymous_counts.c
    days = sorted({day for day, _, _ in counts})
    existing = {
        (row.day, row.event_type, row.reason): int(row._mapping["count"])
        for row in conn.execute(
            sa.select(anonymous_counts).where(a.day.in_(days)).with_for_update()
        )
    }
    inserts = [
        {"day": d, "event_type": t, "reason": r, "count": n}
        for (d, t, r), n in counts.items()
        if (d, t, r) not in existing
    ]
    updates = [
        {"_day": d, "_type": t, "_reason": r, "count": existing[(d, t, r)] + n}
        for (d, t, r), n in counts.items()
        if (d, t, r) in existing
    ]
    if inserts:
        conn.execute(sa.insert(anonymous_counts), inserts)
    if updates:
        match = sa.and_(
            a.day == sa.bindparam("_day"),
            a.event_type == sa.bindparam("_type"),
            a.reason == sa.bindparam("_reason"),
        )
        conn.execute(sa.update(anonymous_counts).where(match), updates)


def total_counts(conn: Connection) -> dict[str, int]:
    """Everything not stored, by reason."""
    a = anonymous_counts.c
    query = sa.select(a.reason, sa.func.sum(a.count)).group_by(a.reason)
    return {reason: int(n) for reason, n in conn.execute(query)}
