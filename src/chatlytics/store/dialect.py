"""The SQL that differs between SQLite, PostgreSQL and MariaDB, in one place.

Everything else in store/ and analytics/ is written once in portable SQLAlchemy Core. A time bucket is
returned as the text `YYYY-MM-DD HH:MM:SS` of the bucket's start on every database, so that grouping,
and turning the result back into a datetime, do not depend on what type each driver hands back.
Text is grouped byte for byte everywhere, although MariaDB's collations fold case or ignore trailing
spaces.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal, _TraverseInternalsType

Interval = Literal["hour", "day", "week"]
EPOCH_TEXT = "1970-01-01 00:00:00"
Dialect = Literal["sqlite", "postgresql", "mysql"]


def dialect_of(conn: Connection) -> Dialect:
    """`sqlite`, `postgresql` or `mysql` (MariaDB reports itself as either `mysql` or `mariadb`)."""
    name = conn.dialect.name
    if name in ("mysql", "mariadb"):
        return "mysql"
    if name in ("sqlite", "postgresql"):
        return name  # type: ignore[return-value]
    raise NotImplementedError(f"unsupported database dialect: {name}")


def _const(text: str) -> ColumnElement[Any]:
    # Rendered inline, not bound: PostgreSQL refuses a GROUP BY whose expression carries a different
    # parameter ($2) from the one in the SELECT list ($1), even when both hold the same value.
    return sa.literal_column("'" + text + "'")


def _sqlite_bucket(column: ColumnElement[Any], interval: Interval) -> ColumnElement[str]:
    # SQLAlchemy stores SQLite datetimes as text `YYYY-MM-DD HH:MM:SS.ffffff`. Cutting the text is
    # exact, whereas SQLite's date functions go through a Julian day rounded to the millisecond and
    # move 23:59:59.9996 into the next day.
    if interval == "hour":
        return sa.func.substr(column, 1, 13).concat(_const(":00:00"))
    day = sa.func.substr(column, 1, 10)
    if interval == "day":
        return day.concat(_const(" 00:00:00"))
    # 'weekday 0' moves forward to the next Sunday (or stays on one); six days back is its Monday.
    return sa.func.date(day, _const("weekday 0"), _const("-6 days")).concat(_const(" 00:00:00"))


def _postgresql_bucket(column: ColumnElement[Any], interval: Interval) -> ColumnElement[str]:
    # date_trunc('week', ...) starts weeks on Monday (ISO 8601), as the API promises.
    truncated = sa.func.date_trunc(_const(interval), column)
    return sa.func.to_char(truncated, _const("YYYY-MM-DD HH24:MI:SS"))


def _mysql_bucket(column: ColumnElement[Any], interval: Interval) -> ColumnElement[str]:
    if interval == "hour":
        return sa.func.date_format(column, _const("%Y-%m-%d %H:00:00"))
    if interval == "day":
        return sa.func.date_format(column, _const("%Y-%m-%d 00:00:00"))
    # WEEKDAY() is 0 for Monday; SUBDATE(t, n) takes n days off.
    monday = sa.func.subdate(column, sa.func.weekday(column))
    return sa.func.date_format(monday, _const("%Y-%m-%d 00:00:00"))


_BUCKETS = {"sqlite": _sqlite_bucket, "postgresql": _postgresql_bucket, "mysql": _mysql_bucket}


def time_bucket(
    conn: Connection, column: ColumnElement[Any], interval: Interval
) -> ColumnElement[str]:
    """The start of the hour, day or week (from Monday) holding `column`, as `YYYY-MM-DD HH:MM:SS`."""
    return _BUCKETS[dialect_of(conn)](column, interval)


class _Utf8Bytes(sa.types.TypeDecorator[str]):
    """Text that arrives as bytes (a binary cast) and leaves as str."""

    impl = sa.types.LargeBinary
    cache_ok = True

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> str | None:
        return value.decode() if isinstance(value, bytes | bytearray) else value


def exact_text(conn: Connection, column: ColumnElement[str]) -> ColumnElement[str]:
    """`column` grouped byte for byte. MariaDB's collations fold case, and even its binary ones
    ignore trailing spaces; a cast to BINARY does neither (the tables are utf8mb4)."""
    if dialect_of(conn) == "mysql":
        return sa.type_coerce(sa.cast(column, mysql.BINARY()), _Utf8Bytes())
    return column


def bucket_start(value: object) -> datetime:
    """The naive-UTC datetime of a value produced by `time_bucket`."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, bytes):
        value = value.decode()
    if not isinstance(value, str):
        raise TypeError(f"not a time bucket: {value!r}")
    return datetime.fromisoformat(value)


def json_text(conn: Connection, column: ColumnElement[str], key: str) -> ColumnElement[str]:
    """The string or number at the top-level `key` of a JSON object stored as text, as text (a
    string unquoted, a number as written); NULL when the key is absent or null.

    Compare or group it through `exact_text`: MariaDB hands it back in a case-folding collation.
    """
    if not (key.isascii() and key.isidentifier()):
        raise ValueError(f"not a plain JSON key: {key!r}")
    dialect = dialect_of(conn)
    if dialect == "postgresql":
        # `json`, not `jsonb`: a \u0000 elsewhere in the object, which `jsonb` refuses, does no harm.
        return sa.cast(column, sa.JSON).op("->>", return_type=sa.Text)(_const(key))
    if dialect == "mysql":
        return sa.func.json_value(column, _const("$." + key), type_=sa.Text)
    # SQLite gives a JSON number back as a number: cast it, so that every database answers text.
    return sa.cast(sa.func.json_extract(column, _const("$." + key)), sa.Text)


def json_number(conn: Connection, column: ColumnElement[str], key: str) -> ColumnElement[float]:
    """The number at the top-level `key` of a JSON object stored as text, as a double; NULL when the
    key is absent or null. Only for keys the event contract types as numbers."""
    text = json_text(conn, column, key)
    dialect = dialect_of(conn)
    if dialect == "sqlite":
        # json_extract already answers a number; the cast in json_text made it text again.
        return sa.type_coerce(sa.func.json_extract(column, _const("$." + key)), sa.Double)
    if dialect == "mysql":
        # SQLAlchemy will not render CAST(... AS DOUBLE) for MariaDB; adding 0e0 converts the same.
        return sa.type_coerce(text.op("+")(sa.literal_column("0e0")), sa.Double)
    return sa.cast(text, sa.Double)


def fetched_time(conn: Connection, column: ColumnElement[Any]) -> ColumnElement[Any]:
    """`column` as read cheapest through the driver's tuples (see analytics/fetch.py `as_time`): on
    MariaDB the microseconds since 1970 as an integer, which PyMySQL reads about twice as fast as a
    DATETIME; elsewhere the column itself."""
    if dialect_of(conn) == "mysql":
        return sa.func.timestampdiff(sa.literal_column("MICROSECOND"), _const(EPOCH_TEXT), column)
    return column


Merge = Callable[[ColumnElement[Any], ColumnElement[Any]], ColumnElement[Any]]


def upsert(dialect: Dialect, table: sa.Table, merge: Merge) -> Any:
    """INSERT rows, or fold each into the stored row with the same primary key, every other column
    becoming `merge(stored, incoming)`: one statement for a batch of rows, with no read first."""
    keys = [column.name for column in table.primary_key.columns]
    others = [column for column in table.columns if column.name not in keys]
    if dialect == "mysql":
        mine = mysql.insert(table)
        return mine.on_duplicate_key_update(
            {c.name: merge(c, mine.inserted[c.name]) for c in others}
        )
    ours = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    return ours.on_conflict_do_update(
        index_elements=keys, set_={c.name: merge(c, ours.excluded[c.name]) for c in others}
    )


def least(dialect: Dialect, a: ColumnElement[Any], b: ColumnElement[Any]) -> ColumnElement[Any]:
    """The smaller of two values (SQLite's two-argument min(); times compare as fixed-width text)."""
    return (sa.func.min if dialect == "sqlite" else sa.func.least)(a, b)


def refresh_statistics(conn: Connection, tables: list[str]) -> None:
    """Give the planner fresh statistics after a bulk load. Without them PostgreSQL can choose a
    plan for a join that takes minutes, not a second (autovacuum analyzes too, but
    only some time after the load). SQLite is left without statistics: its queries are written
    for its planner as it is."""
    dialect = dialect_of(conn)
    if dialect == "postgresql":
        for table in tables:
            conn.exec_driver_sql(f'ANALYZE "{table}"')
    elif dialect == "mysql":
        conn.exec_driver_sql("ANALYZE TABLE " + ", ".join(f"`{t}`" for t in tables)).all()


class _KeysIn(ColumnElement[bool]):
    """`column IN <the list given at execution as {name: [...]}>`, compiled per dialect."""

    inherit_cache = True
    type = sa.Boolean()
    _is_implicitly_boolean = True  # a predicate as it is, not `... = 1`
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012 (SQLAlchemy's own form)
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
    ]

    def __init__(self, column: ColumnElement[Any], name: str) -> None:
        self.column = column
        self.name = name


class _JsonList(sa.types.TypeDecorator[list[Any]]):
    """A list bound as one JSON array."""

    impl = sa.types.Text
    cache_ok = True

    def process_bind_param(self, value: list[Any] | None, dialect: sa.Dialect) -> str | None:
        return None if value is None else orjson.dumps(value).decode()


@compiles(_KeysIn)
def _expanding_in(element: _KeysIn, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.in_(sa.bindparam(element.name, expanding=True)), **kw)


@compiles(_KeysIn, "sqlite")
def _json_each_in(element: _KeysIn, compiler: SQLCompiler, **kw: Any) -> str:
    keys: sa.Select[Any] = sa.select(sa.column("value")).select_from(
        sa.func.json_each(sa.bindparam(element.name, type_=_JsonList()))
    )
    return compiler.process(element.column.in_(keys.scalar_subquery()), **kw)


@compiles(_KeysIn, "postgresql")
def _any_array(element: _KeysIn, compiler: SQLCompiler, **kw: Any) -> str:
    # One array parameter, which psycopg sends as it is, whatever the number of keys.
    column = compiler.process(element.column, **kw)
    return f"{column} = ANY({compiler.process(sa.bindparam(element.name), **kw)})"


def keys_in(column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    """`column` IN the keys given at execution as {name: [...]}.

    An expanding IN renders and converts one parameter per key at every execution, a fifth of the
    writer's Python time; on SQLite the keys travel as one JSON array read by json_each, and on
    PostgreSQL as one array (`= ANY`), so the statement is the same whatever their number.
    """
    return _KeysIn(column, name)
