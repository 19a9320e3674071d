"""Each fallback reply names the question right before it (the latest user message of its
conversation at or before it, then the larger event_id), as the writer links it batch by batch in
any order, and as migration 0010 links the fallbacks stored before it."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from chatlytics.store.database import Database
from chatlytics.store.migrate import downgrade, upgrade
from chatlytics.store.projections.questions import question_key
from chatlytics.store.schema import messages
from chatlytics.store.timing import utcnow
from tests.analytics.support import store
from tests.helpers import event

Link = tuple[str | None, int | None]  # the question's event_id and key


def scenario() -> tuple[list[dict[str, Any]], dict[str, Link]]:
    rng = random.Random(9)
    start = utcnow().replace(microsecond=0) - timedelta(hours=4)
    raw: list[dict[str, Any]] = []
    want: dict[str, Link] = {}
    for n in range(150):
        conversation = f"c{n}"
        asked: list[tuple[Any, str, str]] = []
        replies: list[tuple[Any, str, bool]] = []
        for i in range(rng.randrange(1, 7)):
            at = start + timedelta(seconds=rng.randrange(0, 5))  # ties on purpose
            event_id = f"e-{n}-{rng.randrange(50):02d}-{i}"
            if rng.random() < 0.5:
                text = rng.choice(["Where is my order?", "where is my ORDER", "Do you ship?"])
                raw.append(
                    event(
                        "user_message",
                        at=at,
                        conversation=conversation,
                        content=text,
                        event_id=event_id,
                    )
                )
                asked.append((at, event_id, text))
            else:
                fallback = rng.random() < 0.7
                raw.append(
                    event(
                        "bot_response",
                        at=at,
                        conversation=conversation,
                        content="?",
                        latency_ms=5.0,
                        fallback=fallback,
                        event_id=event_id,
                    )
                )
                replies.append((at, event_id, fallback))
        for at, event_id, fallback in replies:
            before = [q for q in asked if q[0] <= at]
            if not fallback:
                want[event_id] = (None, None)
            elif before:
                _, question, text = max(before, key=lambda q: (q[0], q[1]))
                want[event_id] = (question, question_key(text))
            else:
                want[event_id] = (None, None)
    rng.shuffle(raw)
    return raw, want


def links(db: Database) -> dict[str, Link]:
    m = messages.c
    with db.read() as conn:
        rows = conn.execute(
            sa.select(m.event_id, m.question_id, m.question_key).where(m.message_type == "bot")
        )
        return {event_id: (question, key) for event_id, question, key in rows}


def test_writer_and_migration_link_each_fallback_to_its_question(db: Database) -> None:
    raw, want = scenario()
    for part in range(0, len(raw), 40):  # questions often stored after their fallbacks
        store(db, raw[part : part + 40])
    assert links(db) == want
    assert sum(question is not None for question, _ in want.values()) > 50
    try:
        downgrade(db, "0009")
    finally:
        upgrade(db)
    assert links(db) == want
