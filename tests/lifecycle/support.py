"""Helpers of the lifecycle tests: table snapshots, a scan for a person's traces, figures by endpoint."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from chatlytics.events import Rejection
from chatlytics.store.batch import store_batch
from chatlytics.store.database import Database
from chatlytics.store.schema import PROJECTIONS, events, metadata
from tests.analytics.support import windows
from tests.helpers import READ, iso
from tests.scenario import Event, Scenario

State = dict[str, list[tuple[Any, ...]]]


def state(db: Database, tables: Iterable[sa.Table] = PROJECTIONS) -> State:
    """Every row of `tables`, in primary-key order."""
    with db.read() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key.columns))]
            for t in tables
        }


def event_ids(db: Database) -> set[str]:
    with db.read() as conn:
        return set(conn.execute(sa.select(events.c.event_id)).scalars())


def mentions(db: Database, needle: str) -> dict[str, int]:
    """Rows naming `needle`, per table and column: equality on every string column (ids), and
    LIKE on every text column, for every table the database holds (not only the ones we declared)."""
    found: dict[str, int] = {}
    with db.read() as conn:
        reflected = sa.MetaData()
        reflected.reflect(conn)
        assert set(metadata.tables) <= set(reflected.tables), "a declared table is missing"
        for table in reflected.tables.values():
            for column in table.columns:
                if not isinstance(column.type, sa.String):  # Text, VARCHAR, CHAR, ...
                    continue
                pattern = "%" + needle.replace("%", r"\%").replace("_", r"\_") + "%"
                hits = conn.execute(
                    sa.select(sa.func.count())
                    .select_from(table)
                    .where(sa.or_(column == needle, column.like(pattern, escape="\\")))
                ).scalar_one()
                if hits:
                    found[f"{table.name}.{column.name}"] = hits
    return found


def reject(user_id: object, received_at: datetime, n: int) -> tuple[Rejection, datetime]:
    """A refused event, as the collector keeps it; `user_id` is whatever was sent."""
    raw = {"event_id": f"bad-{n}", "type": "page_view", "user_id": user_id}
    peeked = user_id if isinstance(user_id, str) else None
    return Rejection(n, f"bad-{n}", peeked, "session_id: Field required", raw), received_at


def store_rejected(db: Database, rejected: list[tuple[Rejection, datetime]]) -> None:
    with db.write() as conn:
        store_batch(conn, [], rejected, now=datetime.now(UTC), timeout_s=1800)


def extended(scenario: Scenario, extra: list[Event]) -> Scenario:
    return Scenario(
        scenario.now,
        scenario.window_start,
        sorted([*scenario.events, *extra], key=lambda e: e.event_id),
    )


ENDPOINTS = (
    "/analytics/sessions",
    "/analytics/conversations",
    "/analytics/messages",
    "/analytics/leads",
    "/analytics/human_handover",
)


def figures(client: TestClient, scenario: Scenario, users: Iterable[str]) -> dict[str, Any]:
    """The status and JSON of every analytics endpoint, in each of the scenario's windows, and of
    each user."""
    answers: dict[str, Any] = {}

    def ask(path: str, params: dict[str, str]) -> None:
        response = client.get(path, params=params, headers=READ)
        answers[f"{path} {sorted(params.items())}"] = {
            "status": response.status_code,
            "json": response.json(),
        }

    for window in windows(scenario):
        for interval in ("hour", "day", "week"):
            if window.name != "default" or interval == "day":
                ask("/analytics/", {**window.params, "interval": interval})
                ask("/analytics/events", {**window.params, "interval": interval})
        for path in ENDPOINTS:
            ask(path, window.params)
    for user_id in sorted(users):
        ask(f"/analytics/user/{user_id}", {})
    return answers


TARGET = "user-09"
ANONYMOUS = "anon-of-09"


def with_person(scenario: Scenario) -> Scenario:
    """The scenario, plus what makes erasing TARGET harder: personal data in free text, an event of
    TARGET's session under another id, a performance sample."""
    first = min((e for e in scenario.events if e.user_id == TARGET), key=lambda e: e.at)
    session, at = first.session_id, first.at + timedelta(seconds=1)
    lead = {"lead_type": "contact", "name": f"Name {TARGET}", "email": f"{TARGET}@example.com"}
    return extended(
        scenario,
        [
            Event("ev-x-1", "lead_submitted", "widget", TARGET, session, None, at, None, lead),
            Event(
                "ev-x-2", "page_view", "widget", ANONYMOUS, session, None, at, "https://x.example"
            ),
            Event(
                "ev-x-3",
                "performance",
                "backend",
                TARGET,
                session,
                None,
                at,
                None,
                {"response_time_ms": 3.0},
            ),
        ],
    )


def refused(at: datetime) -> list[dict[str, Any]]:
    """Events the collector refuses: two name TARGET (one where no user_id can be read), one not."""
    base = {"type": "page_view", "timestamp": iso(at)}
    return [
        {**base, "event_id": "bad-1", "user_id": TARGET},
        {**base, "event_id": "bad-2", "user_id": [TARGET]},
        {**base, "event_id": "bad-3", "user_id": "user-03"},
    ]
