"""Stored events counted per hour of their (corrected) time and type, beside the raw log.

Counting a month of a busy site's events by type means reading a million index entries; reading their
hourly counts means reading a few thousand rows. The counts move in the same transaction as the raw
log: up when an event is stored for the first time, down when one is deleted (retention, erasure),
so they always equal a GROUP BY over `events`.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from chatlytics.store.dialect import Dialect, dialect_of, upsert
from chatlytics.store.schema import hourly_event_counts

HourKey = tuple[datetime, str]  # (start of the hour, event type)
_KEY = "_hour", "_type"


def hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def tally(moments_and_types: Iterable[tuple[datetime, str]]) -> Counter[HourKey]:
    """How many events per (hour, type)."""
    return Counter((hour_of(at), kind) for at, kind in moments_and_types)


@functools.cache
def _upsert(dialect: Dialect) -> Any:
    """INSERT, or add to the count already there."""
    return upsert(dialect, hourly_event_counts, lambda stored, incoming: stored + incoming)


def add_hourly(conn: Connection, counts: Mapping[HourKey, int]) -> None:
    """Add the counts of newly stored events, one upsert per (hour, type), in key order (so two
    writers cannot deadlock on the rows). Run it late in the transaction: the current hour's rows
    are shared by every writer."""
    rows = [{"hour": h, "type": t, "count": n} for (h, t), n in sorted(counts.items()) if n]
    if rows:
        conn.execute(_upsert(dialect_of(conn)), rows)


def take_hourly(conn: Connection, counts: Mapping[HourKey, int]) -> None:
    """Take the counts of deleted events off, locking the rows in key order; a count that reaches
    0 goes, and one that would fall below 0 is an error (the counts no longer match the log)."""
    counts = {key: n for key, n in counts.items() if n}
    if not counts:
        return
    h = hourly_event_counts.c
    hours = sorted({hour for hour, _ in counts})
    query = (
        sa.select(h.hour, h.type, h.count)
        .where(h.hour >= hours[0], h.hour <= hours[-1])
        .order_by(h.hour, h.type)
        .with_for_update()
    )
    stored = {
        (row.hour, row.type): int(row._mapping["count"])
        for row in conn.execute(query)
        if (row.hour, row.type) in counts
    }
    updates, gone = [], []
    for (hour, kind), n in sorted(counts.items()):
        left = stored.get((hour, kind), 0) - n
        if left < 0:
            raise ValueError(f"hourly count of {kind} at {hour} would fall below 0")
        key = {_KEY[0]: hour, _KEY[1]: kind}
        if left == 0:
            gone.append(key)
        else:
            updates.append({**key, "count": left})
    match = sa.and_(h.hour == sa.bindparam(_KEY[0]), h.type == sa.bindparam(_KEY[1]))
    if updates:
        conn.execute(sa.update(hourly_event_counts).where(match), updates)
    if gone:
        conn.execute(sa.delete(hourly_event_counts).where(match), gone)
