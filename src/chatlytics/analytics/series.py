"""Rows counted per time bucket of a window, with every empty bucket present as a zero.

The database groups by a bucket expression from `store.dialect`, so only one row per non-empty bucket
leaves it; the Python side lays those counts over the full list of buckets of the window.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from chatlytics.analytics.numbers import as_int
from chatlytics.analytics.range import Window
from chatlytics.store.dialect import bucket_start, time_bucket


def in_window(column: ColumnElement[Any], window: Window) -> ColumnElement[bool]:
    """start <= column < end: the condition every figure uses, and the one its time index serves."""
    return sa.and_(column >= window.start, column < window.end)


def count_by_bucket(
    conn: Connection,
    column: ColumnElement[Any],
    window: Window,
    *where: ColumnElement[bool],
) -> dict[datetime, int]:
    """How many rows, by the bucket of `column`, among the rows in the window meeting `where`."""
    bucket = time_bucket(conn, column, window.interval)
    query = (
        sa.select(bucket.label("bucket"), sa.func.count())
        .where(in_window(column, window), *where)
        .group_by(bucket)
    )
    return {bucket_start(key): as_int(n) for key, n in conn.execute(query)}


def lay_out(window: Window, counts: dict[datetime, int]) -> list[tuple[datetime, int]]:
    """(bucket start, count) for every bucket of the window, zeros included, in time order."""
    return [(start, counts.get(start, 0)) for start in window.buckets()]
