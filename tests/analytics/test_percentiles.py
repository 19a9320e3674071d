"""percentile_cont gives PostgreSQL's percentile_cont on every database."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from chatlytics.analytics import percentiles
from chatlytics.analytics.percentiles import percentile_cont
from chatlytics.store.database import Database
from chatlytics.store.schema import messages
from tests.analytics.expected import percentile_cont as plain_percentile
from tests.analytics.support import store
from tests.helpers import event

FRACTIONS = [0.0, 0.01, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0]
AT = datetime.now(UTC) - timedelta(days=2)


def _quarters(rng: random.Random, n: int) -> list[float]:
    # Multiples of 1/4 are exact in every float width, so the figures test the method alone.
    return [rng.randint(0, 40_000) / 4 for _ in range(n)]


SAMPLES = {
    "one": [7.5],
    "two": [10.0, 2.0],
    "ties": [5.0, 5.0, 5.0, 1.0, 9.0, 9.0],
    "eleven": [float(v) for v in range(100, 0, -9)],
    "random-101": _quarters(random.Random(1), 101),
    "random-250": _quarters(random.Random(2), 250),
}


def _store_latencies(db: Database, conversation: str, values: list[float]) -> None:
    store(
        db,
        [
            event(
                "bot_response",
                at=AT + timedelta(seconds=i),
                session="s",
                conversation=conversation,
                content="a",
                latency_ms=v,
            )
            for i, v in enumerate(values)
        ],
    )


@pytest.mark.parametrize("fetch_all", [1_000_000, 0], ids=["one-sorted-fetch", "offset-per-rank"])
@pytest.mark.parametrize("name", list(SAMPLES))
def test_matches_plain_python(
    db: Database, name: str, fetch_all: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(percentiles, "FETCH_ALL", fetch_all)  # both ways of computing, same answer
    values = SAMPLES[name]
    _store_latencies(db, "mine", values)
    _store_latencies(db, "other", [100_000.0, 0.0, 3.25])  # outside the where-clause
    where = messages.c.conversation_id == "mine"
    with db.read() as conn:
        got = percentile_cont(conn, messages.c.latency_ms, where, FRACTIONS)
        if db.dialect == "postgresql":
            native = conn.execute(
                sa.select(
                    sa.func.percentile_cont(sa.literal(FRACTIONS, sa.ARRAY(sa.Float))).within_group(
                        messages.c.latency_ms
                    )
                ).where(where)
            ).scalar_one()
            assert got == pytest.approx(native, rel=1e-12)
    assert got == pytest.approx([plain_percentile(values, p) for p in FRACTIONS], rel=1e-12)


def test_no_values_gives_none(db: Database) -> None:
    store(db, [event("user_message", at=AT, session="s", conversation="c", content="q")])
    with db.read() as conn:
        assert percentile_cont(conn, messages.c.latency_ms, sa.true(), [0.5, 0.9]) == [None, None]


def test_fractions_are_checked(db: Database) -> None:
    with db.read() as conn, pytest.raises(ValueError, match="between 0 and 1"):
        percentile_cont(conn, messages.c.latency_ms, sa.true(), [1.5])
