"""Migration 0006 gives every user message stored before it the key the writer gives new ones, over
more rows than one backfill batch, and leaves bot and system messages without one."""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from chatlytics.store.database import Database
from chatlytics.store.migrate import downgrade, upgrade
from chatlytics.store.projections.questions import question_key
from chatlytics.store.schema import messages
from chatlytics.store.timing import utcnow
from tests.analytics.support import store
from tests.helpers import event

OLD_MESSAGES = sa.table(  # the table as revision 0005 has it, without question_key
    "messages",
    *(sa.column(c.name, c.type) for c in messages.c if c.name != "question_key"),
)
ROWS = 14_000  # three in four user messages: more than two backfill batches of 5,000


def test_backfill_keys_every_user_message(db: Database) -> None:
    at = utcnow().replace(microsecond=0) - timedelta(hours=1)
    store(
        db,
        [
            event("user_message", conversation="c1", content="Do you ship to Canada?"),
            event("bot_response", conversation="c1", content="Yes!", latency_ms=5.0),
            event("system_message", conversation="c1", content="agent joined"),
        ],
    )
    rng = random.Random(3)
    try:
        downgrade(db, "0005")
        rows = [
            {
                "event_id": f"{rng.getrandbits(64):016x}-{n}",
                "message_id": f"m{n}",
                "conversation_id": f"c{n % 97}",
                "session_id": "s1",
                "user_id": "u1",
                "message_type": "bot" if n % 4 == 0 else "user",
                "content": rng.choice(["Where is my order?", "¿Hablas  español?", "x"])
                + str(n % 50),
                "created_at": at + timedelta(seconds=n),
                "fallback": False,
            }
            for n in range(ROWS)
        ]
        with db.write() as conn:
            conn.execute(sa.insert(OLD_MESSAGES), rows)
    finally:
        upgrade(db)
    m = messages.c
    with db.read() as conn:
        stored = conn.execute(sa.select(m.message_type, m.content, m.question_key)).all()
    assert len(stored) == ROWS + 3
    for kind, content, key in stored:
        assert key == (question_key(content) if kind == "user" else None), (kind, content)
    assert sum(kind == "user" for kind, _, _ in stored) > 2 * 5000
