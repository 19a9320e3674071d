"""The abandoned flag of bot replies (store/projections/abandonment.py): the rule against a
brute-force reading of its definition, and the stored flags as events arrive late or go."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from chatlytics.store.database import Database
from chatlytics.store.projections.abandonment import ABANDON_SECONDS, abandoned
from chatlytics.store.retention import Doomed, remove_events
from chatlytics.store.schema import messages
from chatlytics.store.timing import utcnow
from tests.analytics.support import store
from tests.helpers import event

BASE = datetime(2026, 11, 20, 9, 0)
# Seconds around the 60 s reach, ties included.
moments = st.lists(st.integers(min_value=0, max_value=200), max_size=12)


def by_definition(reply: datetime, closes: list[datetime], questions: list[datetime]) -> bool:
    """Some close at or after the reply, within the reach, with no question strictly between."""
    reach = timedelta(seconds=ABANDON_SECONDS)
    return any(
        reply <= close <= reply + reach and not any(reply < q < close for q in questions)
        for close in closes
    )


@given(replies=moments, closes=moments, questions=moments)
def test_the_rule_is_its_definition(
    replies: list[int], closes: list[int], questions: list[int]
) -> None:
    def at(seconds: list[int]) -> list[datetime]:
        return [BASE + timedelta(seconds=s) for s in seconds]

    got = abandoned(at(replies), sorted(at(closes)), sorted(at(questions)))
    want = [by_definition(r, at(closes), at(questions)) for r in at(replies)]
    assert got == want


def flags(db: Database) -> dict[str, bool]:
    m = messages.c
    with db.read() as conn:
        rows = conn.execute(sa.select(m.message_id, m.abandoned).where(m.message_type == "bot"))
        return {message_id: bool(flag) for message_id, flag in rows}


def reply(at: datetime, name: str, session: str = "s1") -> dict[str, object]:
    return event(
        "bot_response",
        at=at,
        session=session,
        conversation=f"c-{session}",
        content="Try the 205/55 R16.",
        latency_ms=800.0,
        message_id=name,
    )


def test_late_events_set_and_clear_the_flag(db: Database) -> None:
    """Closes and questions stored after the reply, in separate batches, in any order, and a reply
    stored after its close: the flag follows what is stored."""
    t = utcnow().replace(microsecond=0) - timedelta(hours=2)
    store(db, [reply(t, "r1"), reply(t, "r-other", session="s2")])
    assert flags(db) == {"r1": False, "r-other": False}

    close = event("widget_close", at=t + timedelta(seconds=40), time_spent_seconds=60.0)
    store(db, [close])
    assert flags(db) == {"r1": True, "r-other": False}

    # A question between the reply and the close, stored late: the visitor answered, not left.
    question = event(
        "user_message", at=t + timedelta(seconds=20), conversation="c-s1", content="And 17 inch?"
    )
    store(db, [question])
    assert flags(db) == {"r1": False, "r-other": False}

    # A reply after the question, stored after the close it precedes.
    store(db, [reply(t + timedelta(seconds=30), "r2")])
    assert flags(db) == {"r1": False, "r2": True, "r-other": False}

    # A reply more than the reach before a close stays unflagged.
    late = t + timedelta(seconds=40 - ABANDON_SECONDS - 1)
    store(db, [reply(late, "r0")])
    assert flags(db)["r0"] is False

    # Removing the question (as retention or an erasure does) brings r1's flag back.
    with db.write() as conn:
        remove_events(
            conn,
            [Doomed(question["event_id"], "user_message", "u1", "s1", "c-s1")],
            now=utcnow(),
            timeout_s=1800,
        )
    assert flags(db) == {"r0": False, "r1": True, "r2": True, "r-other": False}

    # And removing the close clears every flag it gave.
    with db.write() as conn:
        remove_events(
            conn,
            [Doomed(close["event_id"], "widget_close", "u1", "s1", None)],
            now=utcnow(),
            timeout_s=1800,
        )
    assert not any(flags(db).values())
