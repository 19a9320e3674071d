"""Conversations know their latest message: the writer folds it in whatever order messages arrive,
and migration 0008 gives the conversations stored before it the same, over more than one batch."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from chatlytics.store.database import Database
from chatlytics.store.migrate import downgrade, upgrade
from chatlytics.store.schema import conversations
from chatlytics.store.timing import utcnow
from tests.analytics.support import store
from tests.helpers import event

CONVERSATIONS = 1_100  # more than two backfill batches of 500


def scenario() -> tuple[list[dict[str, Any]], dict[str, bool]]:
    """Messages with equal times, and the expected flag from the definition: the latest message
    (then the largest event_id) is a fallback bot reply."""
    rng = random.Random(11)
    start = utcnow().replace(microsecond=0) - timedelta(hours=3)
    raw: list[dict[str, Any]] = []
    want: dict[str, bool] = {}
    for n in range(CONVERSATIONS):
        conversation = f"c{n}"
        last: tuple[Any, str, bool] | None = None
        for i in range(rng.randrange(1, 5)):
            at = start + timedelta(seconds=rng.randrange(0, 4))  # ties on purpose
            event_id = f"e-{n}-{rng.randrange(100)}-{i}"
            kind = rng.choice(["user_message", "bot_response", "system_message"])
            fallback = kind == "bot_response" and rng.random() < 0.5
            extra: dict[str, Any] = (
                {"latency_ms": 10.0, "fallback": fallback} if kind == "bot_response" else {}
            )
            raw.append(
                event(
                    kind,
                    at=at,
                    session=f"s{n}",
                    conversation=conversation,
                    content="x",
                    event_id=event_id,
                    **extra,
                )
            )
            candidate = (at.replace(tzinfo=None), event_id, fallback)
            if last is None or candidate[:2] > last[:2]:
                last = candidate
        assert last is not None
        want[conversation] = last[2]
    rng.shuffle(raw)
    return raw, want


def flags(db: Database) -> dict[str, bool]:
    c = conversations.c
    with db.read() as conn:
        rows = conn.execute(sa.select(c.conversation_id, c.ends_on_fallback))
        return {key: bool(flag) for key, flag in rows}


def test_writer_and_backfill_agree_with_the_definition(db: Database) -> None:
    raw, want = scenario()
    for part in range(0, len(raw), 700):  # several batches, shuffled across conversations
        store(db, raw[part : part + 700])
    assert flags(db) == want
    assert 100 < sum(want.values()) < len(want) - 100  # the test can tell a flag from none
    try:
        downgrade(db, "0007")
    finally:
        upgrade(db)
    assert flags(db) == want
