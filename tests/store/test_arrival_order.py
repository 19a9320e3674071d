"""The stored state is a function of the set of events, not of their arrival order or batching."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatlytics.events import ValidEvent
from chatlytics.store.batch import store_batch
from chatlytics.store.database import Database
from chatlytics.store.schema import PROJECTIONS, metadata
from tests.helpers import validated

BASE = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 12, 0)
RECEIVED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

TYPES = [
    "page_view",
    "widget_open",
    "session_start",
    "session_end",
    "conversation_start",
    "conversation_end",
    "user_message",
    "bot_response",
    "handover_requested",
    "lead_submitted",
    "widget_close",
    "error",
]


def properties(kind: str, n: int) -> dict[str, Any]:
    by_type: dict[str, dict[str, Any]] = {
        "session_start": {"client_info": f"agent-{n}", "location": {"city": f"city-{n}"}},
        "session_end": {"status": "error" if n % 3 == 0 else "completed"},
        "conversation_end": {"status": "handover" if n % 4 == 0 else "completed"},
        "user_message": {"content": f"question {n}"},
        "bot_response": {"content": f"answer {n}", "latency_ms": 100 + n, "fallback": n % 2 == 0},
        "handover_requested": {"issues": ["price"], "support_option": "call"},
        "lead_submitted": {"lead_type": "callback"},
        "widget_close": {"time_spent_seconds": n},
        "error": {"kind": "llm", "message": "timeout"},
    }
    return by_type.get(kind, {})


@st.composite
def scenarios(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Events over 2 users, 3 sessions and 3 conversations, with deliberate timestamp ties."""
    count = draw(st.integers(min_value=1, max_value=30))
    events = []
    for n in range(count):
        kind = draw(st.sampled_from(TYPES))
        session = draw(st.sampled_from(["s1", "s2", "s3"]))
        conversation = draw(st.sampled_from([None, "c1", "c2", "c3"]))
        if kind in ("user_message", "bot_response") and conversation is None:
            conversation = "c1"
        minute = draw(st.integers(min_value=0, max_value=12))
        event: dict[str, Any] = {
            "event_id": f"e{n:03d}",
            "type": kind,
            "timestamp": (BASE + timedelta(minutes=minute)).isoformat(),
            "source": draw(st.sampled_from(["widget", "backend"])),
            "user_id": "u1" if session != "s3" else draw(st.sampled_from(["u1", "u2"])),
            "session_id": session,
            "properties": properties(kind, n),
        }
        if conversation:
            event["conversation_id"] = conversation
        if draw(st.booleans()):
            event["page_url"] = f"/page/{draw(st.integers(0, 3))}"
        events.append(event)
    return events


def checked(raw: list[dict[str, Any]]) -> list[ValidEvent]:
    return validated(raw, received_at=RECEIVED)


def snapshot(batches: list[list[dict[str, Any]]]) -> dict[str, list[tuple[Any, ...]]]:
    db = Database.connect("sqlite+pysqlite:///:memory:")
    metadata.create_all(db.writer)
    for batch in batches:
        with db.write() as conn:
            store_batch(conn, checked(batch), [], now=NOW, timeout_s=1800)
    state = {}
    with db.read() as conn:
        for table in PROJECTIONS:
            ordered = sa.select(table).order_by(*table.primary_key.columns)
            state[table.name] = [tuple(row) for row in conn.execute(ordered)]
    db.dispose()
    return state


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), events=scenarios())
def test_any_order_and_batching_gives_the_same_state(
    data: st.DataObject, events: list[dict[str, Any]]
) -> None:
    expected = snapshot([events])
    shuffled = data.draw(st.permutations(events))
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(events) - 1)), max_size=5)))
    batches = [shuffled[a:b] for a, b in zip([0, *cuts], [*cuts, len(events)], strict=True)]
    resent = data.draw(st.lists(st.sampled_from(events), max_size=5))
    assert snapshot([b for b in batches if b] + [resent]) == expected
