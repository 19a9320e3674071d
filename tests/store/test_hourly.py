"""The hourly event counts always equal the stored events counted per hour and type: after resends,
out-of-order batches, an erasure, a retention run, and when a migration fills them from the log."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from chatlytics.lifecycle.retention import run_retention
from chatlytics.store.database import Database
from chatlytics.store.erase import erase_person
from chatlytics.store.migrate import downgrade, upgrade
from chatlytics.store.schema import hourly_event_counts
from chatlytics.store.timing import utcnow
from tests.analytics.support import store
from tests.helpers import event

TYPES = ("page_view", "widget_open", "user_message", "bot_response", "performance", "shop.coupon")


def _events(now: datetime, seed: int) -> list[dict[str, Any]]:
    """Events of three users over five days, at any minute and second of the hour."""
    rng = random.Random(seed)
    made = []
    for n in range(400):
        kind = rng.choice(TYPES)
        at = now - timedelta(seconds=rng.randrange(5 * 24 * 3600))
        props: dict[str, Any] = {}
        if kind in ("user_message", "bot_response"):
            props["content"] = f"text {n}"
        if kind == "bot_response":
            props["latency_ms"] = 100.0 + n
        made.append(
            event(
                kind,
                at=at.replace(tzinfo=UTC),
                user=f"user-{n % 3}",
                session=f"s-{n % 3}-{n % 7}",  # a person's sessions are theirs alone: an
                # erasure takes every event of the sessions and conversations it touches
                conversation=f"c-{n % 3}-{n % 5}"
                if kind in ("user_message", "bot_response")
                else None,
                **props,
            )
        )
    return made


def _expected(made: list[dict[str, Any]]) -> Counter[tuple[datetime, str]]:
    """Per (hour, type), counted from the events as sent (no clock skew: sent_at is absent)."""
    found: Counter[tuple[datetime, str]] = Counter()
    for raw in made:
        at = datetime.fromisoformat(raw["timestamp"]).astimezone(UTC).replace(tzinfo=None)
        found[(at.replace(minute=0, second=0, microsecond=0), raw["type"])] += 1
    return found


def _stored(db: Database) -> Counter[tuple[datetime, str]]:
    h = hourly_event_counts.c
    with db.read() as conn:
        rows = conn.execute(sa.select(h.hour, h.type, h.count)).all()
    assert all(n > 0 for _, _, n in rows), "a count of 0 is deleted, not kept"
    return Counter({(hour, kind): int(n) for hour, kind, n in rows})


def test_counts_follow_resends_out_of_order_batches_erasure_and_retention(db: Database) -> None:
    now = utcnow().replace(microsecond=0)
    made = _events(now, seed=7)
    shuffled = random.Random(8).sample(made, len(made))
    for start in range(0, len(shuffled), 60):
        store(db, shuffled[start : start + 60])
    store(db, made[::5])  # resent: duplicates change nothing
    assert _stored(db) == _expected(made)

    with db.write() as conn:
        erase_person(conn, ["user-1"], now=now, timeout_s=1800)
    kept = [raw for raw in made if raw["user_id"] != "user-1"]
    assert _stored(db) == _expected(kept)

    run_retention(db, days=3, timeout_s=1800, now=now, batch_size=37)
    cutoff = now - timedelta(days=3)
    kept = [
        raw
        for raw in kept
        if datetime.fromisoformat(raw["timestamp"]).replace(tzinfo=None) >= cutoff
    ]
    assert _stored(db) == _expected(kept)


def test_the_migration_fills_the_counts_from_the_stored_events(db: Database) -> None:
    made = _events(utcnow().replace(microsecond=0), seed=11)
    store(db, made)
    try:
        downgrade(db, "0003")
    finally:
        upgrade(db)
    assert _stored(db) == _expected(made)
