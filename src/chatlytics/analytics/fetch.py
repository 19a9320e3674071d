"""Large results read as the driver's own tuples, for the figures that fetch a row per message.

SQLAlchemy builds a Row per row and runs each column's result processor: over the few hundred
thousand bot replies of a busy month that was most of the time an answer took, twice what the
database needed. These helpers take the rows straight from the DBAPI cursor, so select through them
only columns whose driver value is already what the caller wants: numbers and text, and times selected
through `dialect.fetched_time` and read with `as_time`. Not `exact_text` (bytes on MariaDB).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from chatlytics.store.dialect import EPOCH_TEXT


def tuples(conn: Connection, query: sa.Select[*tuple[Any, ...]]) -> Sequence[Any]:
    """Every row of `query`, as the driver returns it (a tuple per row)."""
    result = conn.execute(query)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def floats(conn: Connection, query: sa.Select[Any]) -> list[float]:
    """The first column of every row of `query`, as float (SQLite may hand back an int)."""
    return [float(row[0]) for row in tuples(conn, query)]


EPOCH = datetime.fromisoformat(EPOCH_TEXT)


def _from_micros(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def _unchanged(moment: datetime) -> datetime:
    return moment


def _reader(value: datetime | str | int) -> Callable[[Any], datetime]:
    """How a time read through `fetched_time` becomes naive UTC: SQLite's text as the schema
    writes it, MariaDB's microseconds since 1970, or the datetime PostgreSQL gives."""
    if isinstance(value, str):
        return datetime.fromisoformat
    if isinstance(value, int):
        return _from_micros
    return _unchanged


def as_time(value: datetime | str | int) -> datetime:
    """A time read through `fetched_time`, as naive UTC."""
    return _reader(value)(value)


def as_times(values: Sequence[Any]) -> list[datetime]:
    """`as_time` of every value of one column, whose type (one per driver) is looked at once."""
    return list(map(_reader(values[0]), values)) if values else []
