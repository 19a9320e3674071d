"""Exact percentiles computed the same way on every database, equal to PostgreSQL's percentile_cont.

SQLite and MariaDB have no ordered-set aggregates, and approximations would give different answers per
database. So: count the values, then for each fraction p fetch the two values around rank
h = (n - 1) * p with `ORDER BY value LIMIT 2 OFFSET floor(h)` and interpolate linearly in Python.
Each fetch is one ordered scan of the matching rows, never a transfer of all of them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from chatlytics.analytics.numbers import as_int


def interpolate(lower: float, upper: float, fraction: float) -> float:
    """The point `fraction` of the way from `lower` to `upper` (percentile_cont's formula)."""
    return lower + (upper - lower) * fraction


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
    condition = sa.and_(column.is_not(None), where)
    n = as_int(conn.execute(sa.select(sa.func.count()).where(condition)).scalar_one())
    if n == 0:
        return [None for _ in fractions]
    results: list[float | None] = []
    for p in fractions:
        rank = (n - 1) * p
        below = math.floor(rank)
        query = sa.select(column).where(condition).order_by(column).limit(2).offset(below)
        values = [float(v) for v in conn.execute(query).scalars()]
        if not values:  # rows deleted (retention) between the count and this fetch
            results.append(None)
        elif rank == below or len(values) == 1:
            results.append(values[0])
        else:
            results.append(interpolate(values[0], values[1], rank - below))
    return results
