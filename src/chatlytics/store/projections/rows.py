"""Load and save projection rows in bulk, the same way on every database."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from chatlytics.store.bulk import insert_rows, update_rows

CHUNK = 500
T = TypeVar("T")
Row = dict[str, Any]


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
    for part in chunks(sorted(set(keys))):
        query = sa.select(table).where(column.in_(part)).with_for_update()
        rows.extend(dict(r._mapping) for r in conn.execute(query))
    return rows


def save(conn: Connection, table: sa.Table, key: str, new: list[Row], changed: list[Row]) -> None:
    """Insert `new` rows and update `changed` ones (whole rows, matched on `key`)."""
    insert_rows(conn, table, new)
    update_rows(conn, table, key, changed)
