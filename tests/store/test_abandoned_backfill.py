"""Migration 0007 flags the bot replies stored before it as the writer flags new ones, over more
sessions than one backfill batch."""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from chatlytics.store.database import Database
from chatlytics.store.migrate import downgrade, upgrade
from chatlytics.store.schema import chatbot_close_events, messages
from chatlytics.store.timing import utcnow
from tests.store.test_abandonment import by_definition

OLD_MESSAGES = sa.table(  # the table as revision 0006 has it, without the flag
    "messages",
    *(sa.column(c.name, c.type) for c in messages.c if c.name != "abandoned"),
)
SESSIONS = 2_100  # more than one backfill batch of 2,000


def test_backfill_flags_every_reply(db: Database) -> None:
    rng = random.Random(7)
    start = utcnow().replace(microsecond=0) - timedelta(days=1)
    rows: list[dict[str, object]] = []
    closes: list[dict[str, object]] = []
    want: dict[str, bool] = {}
    for n in range(SESSIONS):
        session = f"s{n}"
        times = {
            kind: [
                start + timedelta(seconds=rng.randrange(0, 150)) for _ in range(rng.randrange(4))
            ]
            for kind in ("user", "bot", "close")
        }
        for kind in ("user", "bot"):
            for i, at in enumerate(times[kind]):
                rows.append(
                    {
                        "event_id": f"{session}-{kind}-{i}",
                        "message_id": f"{session}-{kind}-{i}",
                        "conversation_id": f"c{n}",
                        "session_id": session,
                        "user_id": "u1",
                        "message_type": kind,
                        "content": "x",
                        "created_at": at,
                        "latency_ms": 500.0 if kind == "bot" else None,
                        "fallback": False,
                    }
                )
        for i, at in enumerate(times["close"]):
            closes.append(
                {
                    "event_id": f"{session}-close-{i}",
                    "user_id": "u1",
                    "session_id": session,
                    "closed_at": at,
                    "time_spent_seconds": 1.0,
                }
            )
        for i, at in enumerate(times["bot"]):
            want[f"{session}-bot-{i}"] = by_definition(at, times["close"], times["user"])
    try:
        downgrade(db, "0006")
        with db.write() as conn:
            conn.execute(sa.insert(OLD_MESSAGES), rows)
            conn.execute(sa.insert(chatbot_close_events), closes)
    finally:
        upgrade(db)
    m = messages.c
    with db.read() as conn:
        query = sa.select(m.event_id, m.abandoned).where(m.message_type == "bot")
        got = {event_id: bool(flag) for event_id, flag in conn.execute(query)}
    assert got == want
    assert sum(want.values()) > 500  # the test can tell a backfill from none
    assert not all(want.values())
    flagged = {key.split("-")[0] for key, flag in want.items() if flag}
    assert flagged & set(sorted(f"s{n}" for n in range(SESSIONS))[2000:])  # in the second batch
