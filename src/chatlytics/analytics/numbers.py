"""Small SQL and number helpers shared by the figure modules.

Drivers disagree on the Python type of an aggregate (SQLite gives int or float, PostgreSQL and MariaDB
give Decimal for SUM), so every figure passes through `as_int` or `as_float`. Means are taken as
SUM / COUNT in Python rather than with AVG, which MariaDB rounds to 4 decimals for integer columns.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement


def count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """How many rows meet `condition` (0, not NULL, when there are none)."""
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def as_int(value: int | float | Decimal | None) -> int:
    """An aggregate as int (NULL, the aggregate of no rows, is 0)."""
    return int(value) if value is not None else 0


def as_float(value: int | float | Decimal | None) -> float | None:
    """An aggregate as float, None when there was nothing to aggregate."""
    return float(value) if value is not None else None


def mean(total: int | float | Decimal | None, count: int | float | Decimal | None) -> float | None:
    """total / count as float, None when there was nothing to average."""
    n = as_int(count)
    return float(total) / n if n and total is not None else None


def ratio(part: int, whole: int) -> float:
    """part / whole, 0.0 when there is no whole."""
    return part / whole if whole else 0.0


def finite(value: float | None) -> float | None:
    """`value`, or None where a quotient overflowed (a tiny cost under a large value): JSON has
    no infinity, and an unbounded figure means nothing to report."""
    return value if value is None or math.isfinite(value) else None
