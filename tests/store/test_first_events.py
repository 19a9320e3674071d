"""first_events holds the earliest event of each type per session and user: as the writer folds it,
batch by batch and in any order, and as migration 0009 fills it from the raw log."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from chatlytics.store.database import Database
from chatlytics.store.migrate import downgrade, upgrade
from chatlytics.store.schema import first_events
from chatlytics.store.timing import utcnow
from tests.analytics.support import store
from tests.helpers import event

TYPES = ("page_view", "widget_open", "pricing.viewed", "performance")


def scenario() -> tuple[list[dict[str, Any]], dict[tuple[str, str, str], datetime]]:
    rng = random.Random(5)
    start = utcnow().replace(microsecond=0) - timedelta(hours=5)
    raw: list[dict[str, Any]] = []
    want: dict[tuple[str, str, str], datetime] = {}
    for n in range(600):
        kind = rng.choice(TYPES)
        key = (f"s{rng.randrange(60)}", f"u{rng.randrange(2)}", kind)
        at = start + timedelta(seconds=rng.randrange(600), microseconds=rng.randrange(3))
        raw.append(event(kind, at=at, session=key[0], user=key[1], event_id=f"e{n}"))
        if kind != "performance":  # a health sample belongs to no session
            want[key] = min(want.get(key, at.replace(tzinfo=None)), at.replace(tzinfo=None))
    return raw, want


def stored(db: Database) -> dict[tuple[str, str, str], datetime]:
    f = first_events.c
    with db.read() as conn:
        rows = conn.execute(sa.select(f.session_id, f.user_id, f.type, f.first_at))
        return {(s, u, t): at.replace(tzinfo=None) for s, u, t, at in rows}


def test_writer_and_migration_keep_the_first_of_each_type(db: Database) -> None:
    raw, want = scenario()
    for part in range(0, len(raw), 70):  # later batches bring earlier events too
        store(db, raw[part : part + 70])
    assert stored(db) == want
    try:
        downgrade(db, "0008")
    finally:
        upgrade(db)
    assert stored(db) == want
