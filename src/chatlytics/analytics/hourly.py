"""Event counts of a window by bucket and type, read from the hourly counts (store/hourly.py).

The whole hours inside the window come from `hourly_event_counts`; the parts of an hour at either
edge (a window rarely starts on the hour: the default one ends now) are counted in the raw log, which
holds less than an hour of events there. The sum is exactly a count over `events`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from chatlytics.analytics.numbers import as_int
from chatlytics.analytics.range import Window, truncate
from chatlytics.store.dialect import Interval, bucket_start, time_bucket
from chatlytics.store.event_types import stored_types
from chatlytics.store.hourly import hour_of
from chatlytics.store.schema import events, hourly_event_counts

HOUR = timedelta(hours=1)
BucketKey = tuple[datetime, str]  # (start of the bucket, event type)


def _raw(
    conn: Connection,
    start: datetime,
    end: datetime,
    interval: Interval,
    types: Collection[str] | None,
) -> Counter[BucketKey]:
    e = events.c
    bucket = time_bucket(conn, e.occurred_at, interval)
    # Every type named: the events index leads with the type, one range per type.
    kinds = sorted(types) if types is not None else stored_types(conn)
    query = (
        sa.select(bucket, e.type, sa.func.count())
        .where(e.type.in_(kinds), e.occurred_at >= start, e.occurred_at < end)
        .group_by(bucket, e.type)
    )
    return Counter({(bucket_start(at), kind): as_int(n) for at, kind, n in conn.execute(query)})


def _whole_hours(
    conn: Connection,
    start: datetime,
    end: datetime,
    interval: Interval,
    types: Collection[str] | None,
) -> Counter[BucketKey]:
    h = hourly_event_counts.c
    query = sa.select(h.hour, h.type, h.count).where(h.hour >= start, h.hour < end)
    if types is not None:
        query = query.where(h.type.in_(sorted(types)))
    found: Counter[BucketKey] = Counter()
    for hour, kind, n in conn.execute(query):
        found[(truncate(hour, interval), kind)] += as_int(n)
    return found


def counts_by_bucket(
    conn: Connection, window: Window, types: Collection[str] | None = None
) -> Counter[BucketKey]:
    """Stored events of the window per (bucket of `window.interval`, type); only `types` if given.
    Buckets and types without events are absent."""
    first = hour_of(window.start)
    if first < window.start:
        first += HOUR
    last = hour_of(window.end)
    if first >= last:  # no whole hour inside: the raw log alone
        return _raw(conn, window.start, window.end, window.interval, types)
    found = _whole_hours(conn, first, last, window.interval, types)
    if window.start < first:
        found.update(_raw(conn, window.start, first, window.interval, types))
    if last < window.end:
        found.update(_raw(conn, last, window.end, window.interval, types))
    return found


def by_type(counts: Counter[BucketKey]) -> Counter[str]:
    """The counts of every bucket added up per type."""
    totals: Counter[str] = Counter()
    for (_, kind), n in counts.items():
        totals[kind] += n
    return totals


def by_bucket(
    counts: Counter[BucketKey], types: Collection[str] | None = None
) -> dict[datetime, int]:
    """The counts of `types` (all if None) added up per bucket."""
    totals: Counter[datetime] = Counter()
    for (bucket, kind), n in counts.items():
        if types is None or kind in types:
            totals[bucket] += n
    return dict(totals)
