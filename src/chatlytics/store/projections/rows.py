"""Load and save projection rows in bulk, the same way on every database."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from chatlytics.store.bulk import insert_rows, update_rows
from chatlytics.store.dialect import keys_in

CHUNK = 500
T = TypeVar("T")
Row = dict[str, Any]
# Look-ups are built once and take their keys as one expanding parameter: building a statement
# around a literal IN list costs a coercion per key.
IDS = "ids"


def in_ids(column: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """`column IN (:ids)`, the keys given at execution as {IDS: [...]}."""
    return keys_in(column, IDS)


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """Split into lists of at most `size` (keeps IN lists under every driver's parameter limit)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def load(
    conn: Connection, table: sa.Table, column: sa.Column[Any], keys: Iterable[Any]
) -> list[Row]:
    """The rows whose `column` is in `keys`, locked for update where the database can lock rows."""
    rows: list[Row] = []
    query = _load_query(table, column.key)
    for part in chunks(sorted(set(keys))):
        rows.extend(dict(r._mapping) for r in conn.execute(query, {IDS: part}))
    return rows


@functools.cache
def _load_query(table: sa.Table, key: str) -> sa.Select[Any]:
    return sa.select(table).where(in_ids(table.c[key])).with_for_update()


def save(conn: Connection, table: sa.Table, key: str, new: list[Row], changed: list[Row]) -> None:
    """Insert `new` rows and update `changed` ones (whole rows, matched on `key`)."""
    insert_rows(conn, table, new)
    update_rows(conn, table, key, changed)
