"""A value the database refuses fails only its own event; an outage fails everything, storing nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Connection

from chatlytics.app import create_app
from chatlytics.events import ValidEvent
from chatlytics.store.batch import Written
from chatlytics.store.database import Database
from chatlytics.store.schema import events, failed_events, sessions
from chatlytics.store.writer import BatchWriter, StorageUnavailable
from tests.conftest import make_settings
from tests.helpers import ADMIN, WRITE, ago, event, post_events, validated

SQL_WORDS = ("INSERT", "UPDATE", "SELECT", "[SQL", "parameters")


def checked(raw: list[dict[str, Any]]) -> list[ValidEvent]:
    return validated(raw, received_at=datetime.now(UTC))


def refuse_marked(conn: Connection, stored: Sequence[ValidEvent]) -> None:
    """Have the database itself refuse each event marked `refuse`: its session loses its start, which
    every database's NOT NULL constraint rejects."""
    for e in stored:
        if e.properties.get("refuse"):
            s = sessions.c
            conn.execute(
                sa.update(sessions).where(s.session_id == e.session_id).values(started_at=None)
            )


def stored_ids(db: Database, table: sa.Table) -> set[str]:
    with db.read() as conn:
        return set(conn.execute(sa.select(table.c.event_id)).scalars())


def test_a_refused_event_fails_only_itself_not_its_group(db: Database) -> None:
    first = checked([event("page_view", session="sa"), event("widget_open", session="sa")])
    mixed = checked(
        [
            event("page_view", session="sb"),
            event("page_view", session="sc", refuse=True),
            event("widget_open", session="sb"),
        ]
    )
    last = checked([event("page_view", session="sd")])
    group_sizes: list[int] = []

    def projection(conn: Connection, stored: Sequence[ValidEvent]) -> None:
        group_sizes.append(len(stored))
        refuse_marked(conn, stored)

    async def scenario() -> list[Written]:
        writer = BatchWriter(
            db,
            max_events=1000,
            flush_ms=50,
            queue_events=1000,
            timeout_s=1800,
            projection=projection,
        )
        await writer.start()
        now = datetime.now(UTC)
        results = await asyncio.gather(
            *(writer.submit(part, [], now) for part in (first, mixed, last))
        )
        await writer.stop()
        return list(results)

    done = asyncio.run(scenario())
    assert group_sizes[0] == 6  # the three requests were committed as one group at first
    assert done[0] == Written(frozenset({0, 1}))
    assert done[2] == Written(frozenset({0}))
    assert done[1].accepted == {0, 2}
    assert list(done[1].refused) == [1]
    reason = done[1].refused[1]
    assert reason.startswith("the database refused it: ")
    assert not any(word in reason for word in SQL_WORDS), reason
    bad = mixed[1].event_id
    assert stored_ids(db, events) == {e.event_id for e in first + mixed + last} - {bad}
    with db.read() as conn:
        kept = conn.execute(sa.select(failed_events)).one()
        assert conn.execute(sa.select(sessions.c.session_id)).scalars().all().count("sc") == 0
    assert (kept.event_id, kept.reason) == (bad, reason)
    assert '"refuse":true' in kept.raw


def test_an_outage_fails_every_request_and_acknowledges_nothing(sqlite_only: None) -> None:
    down = Database.connect("postgresql+psycopg://postgres@127.0.0.1:1/test")  # connection refused

    async def scenario() -> list[BaseException | Written]:
        writer = BatchWriter(down, max_events=1000, flush_ms=50, queue_events=1000, timeout_s=1800)
        await writer.start()
        now = datetime.now(UTC)
        parts = [checked([event("page_view")]), checked([event("page_view", refuse=True)])]
        results = await asyncio.gather(
            *(writer.submit(part, [], now) for part in parts), return_exceptions=True
        )
        await writer.stop()
        return list(results)

    try:
        results = asyncio.run(scenario())
    finally:
        down.dispose()
    assert all(isinstance(r, StorageUnavailable) for r in results), results


def test_an_outage_is_a_503_with_retry_after(sqlite_only: None) -> None:
    down = Database.connect("postgresql+psycopg://postgres@127.0.0.1:1/test")
    try:
        with TestClient(create_app(make_settings(), db=down)) as client:
            response = client.post(
                "/v1/events", json={"events": [event("page_view")]}, headers=WRITE
            )
    finally:
        down.dispose()
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "SQL" not in response.text


def test_a_sum_out_of_an_integer_column_is_refused_and_kept(
    app_client: TestClient, db: Database
) -> None:
    """Two sessions of one user that each last from 1970 until now pass the contract, but their total
    duration (users.total_duration) does not fit a 32-bit INTEGER on PostgreSQL and MariaDB."""
    epoch = "1970-01-01T00:00:00Z"
    batch = [event("page_view", user="other", session="o1")]
    for session in ("s1", "s2"):
        batch.append({**event("session_start", user="u", session=session), "timestamp": epoch})
        batch.append(
            event("session_end", user="u", session=session, at=ago(minutes=1), status="completed")
        )
    result = post_events(app_client, batch)
    if db.dialect == "sqlite":  # 64-bit integers: nothing to refuse
        assert (result["accepted"], result["rejected"]) == (len(batch), [])
        return
    assert result["accepted"] == len(batch) - 1
    assert result["duplicates"] == 0
    [refused] = result["rejected"]
    assert batch[refused["index"]]["event_id"] == refused["event_id"]
    assert batch[refused["index"]]["type"] == "session_end"
    assert refused["error"].startswith("the database refused it: ")
    assert not any(word in refused["error"] for word in SQL_WORDS), refused
    listed = app_client.get("/v1/failed_events", headers=ADMIN).json()
    assert [(i["event_id"], i["reason"]) for i in listed["items"]] == [
        (refused["event_id"], refused["error"])
    ]
    assert stored_ids(db, events) == {e["event_id"] for e in batch} - {refused["event_id"]}
    again = post_events(app_client, batch)  # a resend: stored ones are duplicates, the bad one
    assert (again["accepted"], again["duplicates"]) == (0, len(batch) - 1)  # is refused again
    assert [r["index"] for r in again["rejected"]] == [refused["index"]]


def test_the_legacy_routes_answer_422_for_a_refused_event(db: Database) -> None:
    """A legacy call is one event: refused by the database it is a 422 (kept), never a 500."""
    epoch = "1970-01-01T00:00:00Z"
    setup = [
        {**event("session_start", user="u", session=s), "timestamp": epoch} for s in ("s1", "s2")
    ]
    setup.append(event("session_end", user="u", session="s1", status="completed"))
    with TestClient(create_app(make_settings(CHATLYTICS_LEGACY_ROUTES="true"), db=db)) as client:
        post_events(client, setup)
        body = {"user_id": "u", "session_id": "s2", "end_time": ago(minutes=1).isoformat()}
        response = client.post("/analytics/session_end", json=body)
        listed = client.get("/v1/failed_events", headers=ADMIN).json()
    if db.dialect == "sqlite":  # 64-bit integers: nothing to refuse
        assert response.status_code == 200, response.text
        return
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("the database refused it: ")
    assert [i["raw"]["type"] for i in listed["items"]] == ["session_end"]
