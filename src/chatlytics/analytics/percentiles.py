"""Exact percentiles computed the same way on every database, equal to PostgreSQL's percentile_cont.

SQLite and MariaDB have no ordered-set aggregates, and approximations would give different answers per
database. So: fetch up to FETCH_ALL values once, unordered and as the driver's tuples, and sort them here
(one sort serves every fraction, and Python sorts floats faster than the database hands over sorted rows);
beyond that, count them, and for each fraction p fetch the two values around rank h = (n - 1) * p with
`ORDER BY value LIMIT 2 OFFSET floor(h)`. Interpolate in Python.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from chatlytics.analytics import fetch
from chatlytics.analytics.numbers import as_int


def interpolate(lower: float, upper: float, fraction: float) -> float:
    """The point `fraction` of the way from `lower` to `upper` (percentile_cont's formula)."""
    return lower + (upper - lower) * fraction


FETCH_ALL = 1_000_000


def from_sorted(values: Sequence[float], p: float) -> float | None:
    """percentile_cont(p) of already sorted values."""
    if not values:
        return None
    rank = (len(values) - 1) * p
    below = math.floor(rank)
    if rank == below:
        return values[below]
    return interpolate(values[below], values[below + 1], rank - below)


def sorted_values(
    conn: Connection, column: ColumnElement[Any], where: ColumnElement[bool]
) -> list[float] | None:
    """The non-NULL values of `column` meeting `where`, ascending; None when there are more than
    FETCH_ALL of them (then only ranks are fetched, see `percentile_cont`)."""
    query = sa.select(column).where(column.is_not(None), where).limit(FETCH_ALL + 1)
    values = fetch.floats(conn, query)
    if len(values) > FETCH_ALL:
        return None
    values.sort()
    return values


def percentile_cont(
    conn: Connection,
    column: ColumnElement[Any],
    where: ColumnElement[bool],
    fractions: Sequence[float],
) -> list[float | None]:
    """percentile_cont(p) WITHIN GROUP (ORDER BY column) for each p, over non-NULL values meeting
    `where`; None for each p when there are no such values."""
    if any(not 0 <= p <= 1 for p in fractions):
        raise ValueError("percentile fractions lie between 0 and 1")
    values = sorted_values(conn, column, where)
    if values is not None:
        return [from_sorted(values, p) for p in fractions]
    return by_rank(conn, column, where, fractions)


def by_rank(
    conn: Connection,
    column: ColumnElement[Any],
    where: ColumnElement[bool],
    fractions: Sequence[float],
) -> list[float | None]:
    """percentile_cont as above, from the two values around each rank: for more than FETCH_ALL."""
    condition = sa.and_(column.is_not(None), where)
    n = as_int(conn.execute(sa.select(sa.func.count()).where(condition)).scalar_one())
    if n == 0:  # rows deleted (retention) since the fetch
        return [None for _ in fractions]
    results: list[float | None] = []
    for p in fractions:
        rank = (n - 1) * p
        below = math.floor(rank)
        query = sa.select(column).where(condition).order_by(column).limit(2).offset(below)
        pair = [float(v) for v in conn.execute(query).scalars()]
        if not pair:  # rows deleted (retention) between the count and this fetch
            results.append(None)
        elif rank == below or len(pair) == 1:
            results.append(pair[0])
        else:
            results.append(interpolate(pair[0], pair[1], rank - below))
    return results
