"""Retention deletes everything older than the cutoff, and what is left equals a projection from scratch
of the events that are left: on the scenario with awkward spans on every database, and on random
events (hypothesis) where sessions mix users and conversations cross sessions."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from chatlytics.app import create_app
from chatlytics.lifecycle import register, retention_loop, run_retention
from chatlytics.store.batch import store_batch
from chatlytics.store.database import Database
from chatlytics.store.schema import (
    chatbot_close_events,
    conversations,
    events,
    failed_events,
    human_handover,
    lead_analytics,
    messages,
    metadata,
    sessions,
    users,
)
from chatlytics.store.timing import utcnow
from tests import backends
from tests.analytics.support import store
from tests.conftest import make_settings
from tests.lifecycle.support import event_ids, extended, reject, state, store_rejected
from tests.scenario import Event, build
from tests.store.test_arrival_order import BASE, NOW, checked, scenarios, snapshot

DAYS = 5
TIMES = {
    events: "occurred_at",
    failed_events: "received_at",
    sessions: "started_at",
    conversations: "started_at",
    users: "first_seen_at",
    messages: "created_at",
    lead_analytics: "created_at",
    human_handover: "requested_at",
    chatbot_close_events: "closed_at",
}


def awkward(cutoff: datetime) -> list[Event]:
    """Spans the cutoff cuts: a session that goes on after it, a conversation that goes on in another
    session, a session of two users, a handover without conversation, performance samples."""

    def ev(n: int, type_: str, minutes: int, **fields: Any) -> Event:
        values: dict[str, Any] = {
            "source": "backend",
            "user_id": "user-cut",
            "session_id": "s-cut",
            "conversation_id": None,
            **fields,
        }
        at = cutoff + timedelta(minutes=minutes, seconds=0.5)
        return Event(f"ev-cut-{n:02d}", type_, at=at, **values)

    chat = {"conversation_id": "c-cross"}
    handover = {"issues": ["x"], "support_option": "email"}
    return [
        ev(1, "session_start", -90, properties={"client_info": "old agent"}),
        ev(2, "page_view", -80, source="widget", page_url="https://shop.example/old"),
        ev(3, "conversation_start", -70, **chat),
        ev(4, "user_message", -60, properties={"content": "before"}, **chat),
        ev(5, "handover_requested", -50, source="widget", properties=handover),
        ev(
            6,
            "bot_response",
            10,
            session_id="s-next",
            properties={"content": "after", "latency_ms": 9.5},
            **chat,
        ),
        ev(7, "session_start", 20, properties={"client_info": "new agent"}),
        ev(8, "user_message", 30, session_id="s-next", properties={"content": "moved"}, **chat),
        ev(9, "handover_requested", 35, session_id="s-next", source="widget", properties=handover),
        ev(
            10, "page_view", -30, user_id="anon-7", session_id="s-two", page_url="https://a.example"
        ),
        ev(
            11,
            "page_view",
            15,
            user_id="user-two",
            session_id="s-two",
            page_url="https://b.example",
        ),
        ev(12, "performance", -20, properties={"response_time_ms": 5.0}),
        ev(13, "performance", 25, properties={"response_time_ms": 7.0}),
    ]


@dataclass(frozen=True)
class Loaded:
    events: list[Event]
    now: datetime
    cutoff: datetime

    def left(self, after: datetime | None = None) -> set[str]:
        return {e.event_id for e in self.events if e.at >= (after or self.cutoff)}


@pytest.fixture
def loaded(db: Database) -> Loaded:
    """The scenario three days back (so a 5-day cutoff cuts through it), and refused events."""
    now = utcnow().replace(microsecond=0)
    cutoff = now - timedelta(days=DAYS)
    scenario = extended(build(seed=11, now=now - timedelta(days=3)), awkward(cutoff))
    store(db, scenario.wire(), now=now)
    store_rejected(
        db,
        [
            reject("user-01", cutoff - timedelta(days=1), 1),
            reject(None, cutoff - timedelta(seconds=1), 2),
            reject("user-01", cutoff + timedelta(seconds=1), 3),
        ],
    )
    return Loaded(scenario.events, now, cutoff)


def oldest(db: Database) -> dict[str, datetime | None]:
    with db.read() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.min(t.c[column]))).scalar_one()
            for t, column in TIMES.items()
        }


def nothing_before(db: Database, cutoff: datetime) -> bool:
    return all(t is None or t >= cutoff for t in oldest(db).values())


def test_everything_older_than_the_cutoff_goes(db: Database, loaded: Loaded) -> None:
    report = run_retention(db, days=DAYS, timeout_s=1800, now=loaded.now, batch_size=40)
    assert report.batches > 1, "several transactions"
    assert event_ids(db) == loaded.left()
    assert nothing_before(db, loaded.cutoff), oldest(db)
    with db.read() as conn:
        assert conn.execute(sa.select(failed_events.c.event_id)).scalars().all() == ["bad-3"]
    assert report.removed["events"] == len(loaded.events) - len(loaded.left())
    assert report.removed["failed_events"] == 2
    assert run_retention(db, days=DAYS, timeout_s=1800, now=loaded.now).batches == 0


def test_what_is_left_equals_a_projection_from_scratch(db: Database, loaded: Loaded) -> None:
    run_retention(db, days=DAYS, timeout_s=1800, now=loaded.now, batch_size=40)
    after = state(db)
    assert after["sessions"], "the cutoff leaves something"
    backends.wipe(db)
    left = loaded.left()
    store(db, [e.wire(UTC) for e in loaded.events if e.event_id in left], now=loaded.now)
    assert after == state(db)


def test_cut_spans_are_re_derived(db: Database, loaded: Loaded) -> None:
    run_retention(db, days=DAYS, timeout_s=1800, now=loaded.now, batch_size=40)
    with db.read() as conn:
        cut = conn.execute(sa.select(sessions).where(sessions.c.session_id == "s-cut")).one()
        moved = conn.execute(
            sa.select(conversations).where(conversations.c.conversation_id == "c-cross")
        ).one()
        two = conn.execute(sa.select(sessions).where(sessions.c.session_id == "s-two")).one()
        anon = conn.execute(sa.select(users.c.user_id).where(users.c.user_id == "anon-7")).all()
        handover = conn.execute(sa.select(human_handover.c.conversation_id)).scalars().all()
    assert (cut.event_count, cut.client_info, cut.first_event_id) == (1, "new agent", "ev-cut-07")
    assert (moved.message_count, moved.session_id, moved.handover_assigned) == (2, "s-next", True)
    assert "c-cross" in handover
    assert two.user_id == "user-two"
    assert anon == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=scenarios(), minute=st.integers(min_value=0, max_value=13), size=st.integers(1, 7))
def test_any_events_any_cutoff(raw: list[dict[str, Any]], minute: int, size: int) -> None:
    cutoff = BASE.replace(tzinfo=None) + timedelta(minutes=minute)
    db = Database.connect("sqlite+pysqlite:///:memory:")
    metadata.create_all(db.writer)
    with db.write() as conn:
        store_batch(conn, checked(raw), [], now=NOW, timeout_s=1800)
    run_retention(db, days=1, timeout_s=1800, now=cutoff + timedelta(days=1), batch_size=size)
    left = [e for e in raw if datetime.fromisoformat(e["timestamp"]) >= cutoff.replace(tzinfo=UTC)]
    assert state(db) == snapshot([left])
    db.dispose()


def test_the_loop_runs_soon_after_start(db: Database, loaded: Loaded) -> None:
    app = create_app(make_settings(EVENT_RETENTION_DAYS=DAYS), db=db)

    async def one_turn() -> None:
        task = asyncio.create_task(retention_loop(app.state.ctx, first_run_after=0, every=3600))
        for _ in range(600):
            await asyncio.sleep(0.05)
            if nothing_before(db, loaded.cutoff):
                break
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(one_turn())
    assert nothing_before(db, loaded.cutoff)
    assert loaded.left(loaded.cutoff + timedelta(hours=1)) <= event_ids(db)


def test_command(
    db: Database, loaded: Loaded, sqlite_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = typer.Typer()
    register(app)
    monkeypatch.setenv("DATABASE_URL", db.url.render_as_string(hide_password=False))
    monkeypatch.setenv("EVENT_RETENTION_DAYS", str(DAYS))
    result = CliRunner().invoke(app, ["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "events" in result.output
    assert nothing_before(db, loaded.cutoff)
    assert loaded.left(loaded.cutoff + timedelta(hours=1)) <= event_ids(db)
