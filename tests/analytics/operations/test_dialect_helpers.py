"""The SQL helpers the operations figures added to store.dialect agree on every database."""

from __future__ import annotations

from datetime import UTC, timedelta

import sqlalchemy as sa

from chatlytics.store.database import Database
from chatlytics.store.dialect import json_number, seconds_later
from chatlytics.store.schema import events, messages
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


def test_seconds_later_keeps_the_microseconds(db: Database) -> None:
    # A moment SQLite's own date functions would round into the next second.
    moment = (utcnow() - timedelta(days=2)).replace(
        hour=23, minute=59, second=59, microsecond=999600
    )
    store(db, [event("user_message", at=moment.replace(tzinfo=UTC), conversation="c", content="q")])
    m = messages.c
    with db.read() as conn:
        later, earlier = conn.execute(
            sa.select(seconds_later(conn, m.created_at, 60), seconds_later(conn, m.created_at, -60))
        ).one()
        inside = conn.execute(
            sa.select(sa.func.count()).where(
                seconds_later(conn, m.created_at, 60) >= moment + timedelta(seconds=60),
                seconds_later(conn, m.created_at, 60)
                < moment + timedelta(seconds=60, microseconds=1),
            )
        ).scalar_one()
    assert later.replace(tzinfo=None) == moment + timedelta(seconds=60)
    assert earlier.replace(tzinfo=None) == moment - timedelta(seconds=60)
    assert inside == 1
