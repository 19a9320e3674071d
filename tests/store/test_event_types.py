"""Readers that want every type of a range ask type by type: the types found by index seeks are
exactly those stored, and retention's oldest events are the oldest of all types together."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from chatlytics.store.database import Database
from chatlytics.store.event_types import stored_types
from chatlytics.store.retention import expired_events
from chatlytics.store.timing import utcnow
from tests.analytics.support import store
from tests.helpers import event

# Custom types beside the catalogue's, with the characters a type may hold.
TYPES = ("page_view", "widget_open", "user_message", "performance", "shop.coupon", "a", "z_9.x")


def _events(now: datetime, count: int, seed: int) -> list[dict[str, Any]]:
    """Events of every type at random seconds of the last two days; some share a second."""
    rng = random.Random(seed)
    made = []
    for n in range(count):
        kind = TYPES[n % len(TYPES)] if n < len(TYPES) else rng.choice(TYPES)
        at = now - timedelta(seconds=rng.randrange(0, 2 * 24 * 3600, 7))
        props = {"content": f"text {n}"} if kind == "user_message" else {}
        made.append(
            event(
                kind,
                at=at.replace(tzinfo=UTC),
                user=f"user-{n % 4}",
                session=f"s-{n % 4}",
                conversation="c-1" if kind == "user_message" else None,
                event_id=f"ev-{n:04d}",
                **props,
            )
        )
    return made


def _at(raw: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(raw["timestamp"]).astimezone(UTC).replace(tzinfo=None)


def test_stored_types_are_the_distinct_types_of_the_log(db: Database) -> None:
    with db.read() as conn:
        assert stored_types(conn) == []
    store(db, _events(utcnow().replace(microsecond=0), 120, seed=3))
    with db.read() as conn:
        found = stored_types(conn)
    assert sorted(found) == sorted(TYPES)
    assert len(found) == len(set(found))


def test_expired_events_are_the_oldest_of_every_type_together(db: Database) -> None:
    now = utcnow().replace(microsecond=0)
    made = _events(now, 300, seed=5)
    store(db, made)
    cutoff = now - timedelta(days=1)
    before = sorted((_at(raw), raw["event_id"]) for raw in made if _at(raw) < cutoff)
    assert len(before) > 100, "the scenario puts many events before the cutoff"
    for limit in (1, 13, 100, len(before), len(before) + 5):
        with db.read() as conn:
            found = expired_events(conn, cutoff, limit)
        assert [d.event_id for d in found] == [event_id for _, event_id in before[:limit]]
