"""The SQL helpers the operations figures added to store.dialect agree on every database."""

from __future__ import annotations

from datetime import UTC, timedelta

import sqlalchemy as sa

from chatlytics.store.database import Database
from chatlytics.store.dialect import json_number
from chatlytics.store.schema import events
from chatlytics.store.timing import utcnow
from tests.analytics.support import store
from tests.helpers import event


def test_json_number(db: Database) -> None:
    at = (utcnow() - timedelta(hours=1)).replace(tzinfo=UTC)
    store(db, [event("performance", at=at, cpu_percent=12.5, active_connections=3)])
    e = events.c
    keys = ("cpu_percent", "active_connections", "memory_mb")
    with db.read() as conn:
        row = conn.execute(sa.select(*(json_number(conn, e.properties, k) for k in keys))).one()
        total = conn.execute(sa.select(sa.func.sum(json_number(conn, e.properties, keys[0])))).one()
    assert tuple(row) == (12.5, 3.0, None)
    assert float(total[0]) == 12.5
