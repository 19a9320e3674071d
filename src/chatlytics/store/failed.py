"""Reading the events that were refused (they are kept with their reason)."""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from chatlytics.store.schema import failed_events


def recent_failed(conn: Connection, *, limit: int, before_id: int | None) -> list[dict[str, Any]]:
    """Newest first; page with `before_id` = the smallest id of the previous page."""
    f = failed_events.c
    query = sa.select(failed_events).order_by(f.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(f.id < before_id)
    rows = []
    for row in conn.execute(query):
        item = dict(row._mapping)
        item["raw"] = orjson.loads(item["raw"])
        rows.append(item)
    return rows


def count_failed(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(failed_events)).scalar_one())
