"""The per-database SQL agrees on every backend: time buckets, exact grouping of text, and times read
through the driver."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
import sqlalchemy as sa

from chatlytics.analytics import fetch
from chatlytics.analytics.leads import leads_by_type
from chatlytics.analytics.range import Window, truncate
from chatlytics.analytics.series import count_by_bucket
from chatlytics.store.database import Database
from chatlytics.store.dialect import fetched_time, keys_in
from chatlytics.store.schema import events, messages
from chatlytics.store.timing import utcnow
from tests.analytics.support import store
from tests.helpers import event

# A Monday at least four weeks back: events may not lie in the future (they are capped at receipt).
MONDAY = truncate(utcnow() - timedelta(weeks=5), "week")
SUNDAY = MONDAY - timedelta(days=1)
NEXT = MONDAY + timedelta(weeks=1)
MOMENTS = [
    MONDAY - timedelta(microseconds=1),  # the last microsecond of a Sunday
    MONDAY,
    MONDAY + timedelta(minutes=59, seconds=59, microseconds=999999),
    MONDAY + timedelta(days=2, hours=12, minutes=34, seconds=56, microseconds=500000),
    NEXT - timedelta(hours=1),  # Sunday 23:00
    NEXT + timedelta(microseconds=1),
]
EXPECTED = {
    "hour": {
        SUNDAY + timedelta(hours=23): 1,
        MONDAY: 2,
        MONDAY + timedelta(days=2, hours=12): 1,
        NEXT - timedelta(hours=1): 1,
        NEXT: 1,
    },
    "day": {
        SUNDAY: 1,
        MONDAY: 2,
        MONDAY + timedelta(days=2): 1,
        NEXT - timedelta(days=1): 1,
        NEXT: 1,
    },
    "week": {MONDAY - timedelta(weeks=1): 1, MONDAY: 4, NEXT: 1},
}


@pytest.mark.parametrize("interval", ["hour", "day", "week"])
def test_time_buckets(db: Database, interval: str) -> None:
    store(
        db,
        [
            event(
                "user_message",
                at=m.replace(tzinfo=UTC),
                session=f"s{i}",
                conversation=f"c{i}",
                content="q",
            )
            for i, m in enumerate(MOMENTS)
        ],
    )
    window = Window(MONDAY - timedelta(weeks=2), NEXT + timedelta(weeks=2), interval)  # type: ignore[arg-type]
    with db.read() as conn:
        assert count_by_bucket(conn, messages.c.created_at, window) == EXPECTED[interval]


def test_text_is_grouped_exactly(db: Database) -> None:
    at = MONDAY.replace(tzinfo=UTC)
    kinds = ["demo", "Demo", "demo ", "démo", "demo", "😀"]
    store(
        db,
        [
            event("lead_submitted", at=at + timedelta(seconds=i), lead_type=k)
            for i, k in enumerate(kinds)
        ],
    )
    with db.read() as conn:
        counted = leads_by_type(conn, Window(MONDAY, NEXT))
    assert {(c.lead_type, c.count) for c in counted} == {
        ("demo", 2),
        ("Demo", 1),
        ("demo ", 1),
        ("démo", 1),
        ("😀", 1),
    }


def test_times_read_through_the_driver_are_exact(db: Database) -> None:
    """`fetched_time` and `as_time` give back every stored time to the microsecond."""
    store(
        db,
        [
            event("page_view", at=m.replace(tzinfo=UTC), event_id=f"t{i}")
            for i, m in enumerate(MOMENTS)
        ],
    )
    e = events.c
    with db.read() as conn:
        query = sa.select(e.event_id, fetched_time(conn, e.occurred_at))
        read = {key: fetch.as_time(at) for key, at in fetch.tuples(conn, query)}
    assert read == {f"t{i}": m for i, m in enumerate(MOMENTS)}


def test_keys_in_takes_any_number_of_keys_of_any_type(db: Database) -> None:
    """`keys_in`: no key, ids with quotes and non-ASCII text, more keys than a chunk, integers."""
    ids = ["plain", "it's", 'say "hi"', "ünïcødé 😀", "back\\slash", "%s", "?"]
    asked = [f"q{n}" for n in range(4)]
    store(
        db,
        [event("page_view", event_id=key) for key in ids]
        + [
            event("user_message", event_id=key, conversation="c-1", content=f"question {n}")
            for n, key in enumerate(asked)
        ],
    )
    e, m = events.c, messages.c
    query = sa.select(e.event_id).where(keys_in(e.event_id, "ids"))
    many = [f"missing-{n}" for n in range(1_200)]
    with db.read() as conn:
        assert conn.execute(query, {"ids": []}).scalars().all() == []
        assert sorted(conn.execute(query, {"ids": ids}).scalars()) == sorted(ids)
        assert conn.execute(query, {"ids": [*many, ids[3]]}).scalars().all() == [ids[3]]
        keys = {key: n for key, n in conn.execute(sa.select(m.event_id, m.question_key))}
        by_key = sa.select(m.event_id).where(keys_in(m.question_key, "keys"))
        chosen = [keys["q1"], keys["q3"], -5]
        assert sorted(conn.execute(by_key, {"keys": chosen}).scalars()) == ["q1", "q3"]
