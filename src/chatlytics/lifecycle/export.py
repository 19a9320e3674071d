"""GDPR export: everything held about one person, as JSON-ready data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from chatlytics.lifecycle.people import stored_ids
from chatlytics.settings import Settings
from chatlytics.store.backup import snapshot
from chatlytics.store.database import Database
from chatlytics.store.export import rows_of_person
from chatlytics.store.timing import utcnow

# Text columns that hold JSON: decoded, so the export shows what was sent.
JSON_TEXT = {("events", "properties"), ("failed_events", "raw"), ("human_handover", "issues")}


def jsonable(value: Any) -> Any:
    """`value` with every datetime (naive UTC) written as ISO 8601 with `Z`."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _decoded(table: str, row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: orjson.loads(v) if (table, k) in JSON_TEXT and isinstance(v, str) else v
        for k, v in row.items()
    }


def export_user(
    db: Database, user_id: str, *, settings: Settings, now: datetime | None = None
) -> dict[str, Any] | None:
    """`{"user_id", "exported_at", "tables": {table: [rows]}}`, or None when nothing is held."""
    with snapshot(db) as conn:
        held = rows_of_person(conn, stored_ids(settings, user_id))
    if not any(held.values()):
        return None
    tables = {name: [_decoded(name, row) for row in rows] for name, rows in held.items()}
    result: dict[str, Any] = jsonable(
        {"user_id": user_id, "exported_at": now or utcnow(), "tables": tables}
    )
    return result
