"""Everything held under one person's ids: the rows of every table with a `user_id` column."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from chatlytics.store.erase import failed_naming
from chatlytics.store.projections.rows import chunks
from chatlytics.store.schema import failed_events, metadata

PERSON_TABLES = tuple(t for t in metadata.sorted_tables if "user_id" in t.c)


def rows_of_person(conn: Connection, ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Table name -> its rows filed under `ids` (refused events also when their raw JSON names one),
    each in primary-key order."""
    held: dict[str, list[dict[str, Any]]] = {}
    for table in PERSON_TABLES:
        order = list(table.primary_key.columns)
        if table is failed_events:
            wheres = [table.c.id.in_(part) for part in chunks(failed_naming(conn, ids))]
        else:
            wheres = [table.c.user_id.in_(ids)]
        held[str(table.name)] = [
            dict(row._mapping)
            for where in wheres
            for row in conn.execute(sa.select(table).where(where).order_by(*order))
        ]
    return held
