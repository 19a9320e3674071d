"""Many rows into one table: INSERT or UPDATE compiled once per dialect, run with plain tuples.

SQLAlchemy's executemany builds and processes a parameter dict per row, which was about half of the
writer's Python time. Here each statement is compiled once; each row becomes a tuple converted by the
column types' own bind processors, so the database receives exactly what SQLAlchemy would send.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

KEY = "_key"  # the WHERE parameter of an update, so that the key itself can be in the SET list
Row = Mapping[str, Any]


@dataclass(frozen=True)
class _Statement:
    sql: str
    names: tuple[str, ...]  # the parameters, in the order the SQL takes them
    sources: tuple[str, ...]  # the row key each parameter comes from
    converters: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, bind processor)
    positional: bool

    def params(self, rows: Sequence[Row]) -> list[Any]:
        get = itemgetter(*self.sources)
        values: list[Any] = [get(row) if len(self.sources) > 1 else (get(row),) for row in rows]
        return self._finished(values)

    def params_of_tuples(
        self, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
    ) -> list[Any]:
        order = tuple(columns.index(name) for name in self.sources)
        if order != tuple(range(len(columns))):
            get = itemgetter(*order)
            rows = [get(row) if len(order) > 1 else (get(row),) for row in rows]
        return self._finished(list(rows))

    def _finished(self, values: list[Any]) -> list[Any]:
        if self.converters:
            columns: list[Any] = list(zip(*values, strict=True))
            for position, process in self.converters:
                columns[position] = _converted(columns[position], process)
            values = list(zip(*columns, strict=True))
        if self.positional:
            return values
        return [dict(zip(self.names, v, strict=True)) for v in values]


def _converted(column: Sequence[Any], process: Callable[[Any], Any]) -> list[Any]:
    # The rows of one request share their sent_at and received_at objects: convert each run once.
    out: list[Any] = []
    last: Any = out  # a sentinel no value is
    converted = None
    for value in column:
        if value is not last:
            last, converted = value, process(value)
        out.append(converted)
    return out


@functools.lru_cache(maxsize=256)
def _compiled(
    dialect: Dialect, table: sa.Table, columns: tuple[str, ...], key: str | None
) -> _Statement:
    if key is None:
        statement: Any = sa.insert(table)
        keys = list(columns)
    else:  # every column but the key is set
        statement = sa.update(table).where(table.c[key] == sa.bindparam(KEY))
        keys = [c for c in columns if c != key] + [KEY]
    compiled: Any = statement.compile(dialect=dialect, column_keys=keys)
    positional = bool(compiled.positional)
    names = tuple(compiled.positiontup if positional else compiled.binds)
    if set(names) != set(keys):
        raise ValueError(f"{table.name}: statement takes {sorted(names)}, rows give {keys}")
    sources = tuple(str(key) if name == KEY else name for name in names)
    converters = []
    for position, name in enumerate(names):
        kind = compiled.binds[name].type
        process = kind.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            converters.append((position, process))
    return _Statement(compiled.string, names, sources, tuple(converters), positional)


def insert_rows(conn: Connection, table: sa.Table, rows: Sequence[Row]) -> None:
    """Insert `rows` (each with the same keys) with one executemany."""
    if rows:
        statement = _compiled(conn.dialect, table, tuple(rows[0]), None)
        conn.exec_driver_sql(statement.sql, statement.params(rows))


def insert_values(
    conn: Connection, table: sa.Table, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert `rows` given as tuples of `columns`: for a hot table, cheaper than a dict per row."""
    if rows:
        statement = _compiled(conn.dialect, table, columns, None)
        conn.exec_driver_sql(statement.sql, statement.params_of_tuples(columns, rows))


def update_rows(conn: Connection, table: sa.Table, key: str, rows: Sequence[Row]) -> None:
    """Set the other columns of `rows` (each with the same keys) where `key` matches `row[key]`."""
    if rows:
        statement = _compiled(conn.dialect, table, tuple(rows[0]), key)
        conn.exec_driver_sql(statement.sql, statement.params(rows))
