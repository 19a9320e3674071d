"""GET /dashboard/stream: a read key, then hello, a commit event after each stored batch, heartbeats."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from chatlytics import create_app
from chatlytics.access import KeyRing
from chatlytics.dashboard.stream import commit_events
from chatlytics.settings import Settings
from chatlytics.store.database import Database
from chatlytics.store.keys import create_key, revoke_key
from chatlytics.store.writer import BatchWriter
from tests.conftest import make_settings
from tests.dashboard.site import post, running, with_dashboard
from tests.helpers import ADMIN, READ, WRITE, event

pytestmark = pytest.mark.usefixtures("sqlite_only")


@pytest.fixture
def client(db: Database, settings: Settings) -> Iterator[TestClient]:
    with TestClient(with_dashboard(create_app(settings, db=db))) as found:
        yield found


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer nope"}, 401), (WRITE, 403)],
)
def test_it_needs_a_read_key(client: TestClient, headers: dict[str, str], status: int) -> None:
    response = client.get("/dashboard/stream", headers=headers)
    assert response.status_code == status
    assert "text/event-stream" not in response.headers.get("content-type", "")


def read_events(lines: Iterator[str], count: int) -> list[str]:
    """The names of the next `count` events (comments and data lines skipped)."""
    names = []
    for line in lines:
        if line.startswith("event: "):
            names.append(line.removeprefix("event: "))
            if len(names) == count:
                return names
    raise AssertionError(f"the stream ended after {names}")


def test_an_event_arrives_after_a_post(db: Database) -> None:
    with (
        running(db) as url,
        httpx.stream("GET", f"{url}/dashboard/stream", headers=READ, timeout=5) as stream,
    ):
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["cache-control"] == "no-store"
        assert "script-src 'self'" in stream.headers["content-security-policy"]
        lines = stream.iter_lines()
        assert read_events(lines, 1) == ["hello"]
        started = time.monotonic()
        post(url, [event("widget_open")])
        assert read_events(lines, 1) == ["commit"]
        assert time.monotonic() - started < 2.0


def test_an_admin_key_is_let_in(db: Database) -> None:
    with (
        running(db) as url,
        httpx.stream("GET", f"{url}/dashboard/stream", headers=ADMIN, timeout=5) as stream,
    ):
        assert stream.status_code == 200
        assert read_events(stream.iter_lines(), 1) == ["hello"]


async def _collect(db: Database, keys: KeyRing, key: str, seconds: float) -> list[str]:
    """What the stream sends within `seconds` ("(still open)" last if it had not ended)."""
    writer = BatchWriter(db, max_events=10, flush_ms=5, queue_events=100, timeout_s=1800)
    found: list[str] = []

    async def consume() -> None:
        async for chunk in commit_events(writer, keys, key, heartbeat_s=0.05):
            found.append(chunk)

    try:
        await asyncio.wait_for(consume(), seconds)
    except TimeoutError:
        found.append("(still open)")
    return found


def test_heartbeats_and_a_revoked_key_ends_the_stream(db: Database) -> None:
    keys = KeyRing(make_settings(KEY_CACHE_SECONDS=0), db)
    with db.write() as conn:
        key = create_key(conn, "read")
    chunks = asyncio.run(_collect(db, keys, key, 0.3))
    assert chunks[0].startswith("event: hello\n")
    assert ": heartbeat\n\n" in chunks
    assert chunks[-1] == "(still open)"

    with db.write() as conn:
        assert revoke_key(conn, key[:12]) == 1
    chunks = asyncio.run(_collect(db, keys, key, 1.0))
    assert chunks[0].startswith("event: hello\n")
    assert chunks[-1] != "(still open)", "a revoked key must lose the stream at the next heartbeat"
