"""Factories for events and calls, shared by every test module."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from chatlytics.events import Rejection, ValidEvent, validate_event

WRITE = {"Authorization": "Bearer test-write"}
READ = {"Authorization": "Bearer test-read"}
ADMIN = {"Authorization": "Bearer test-admin"}
_counter = itertools.count()


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def ago(**delta: float) -> datetime:
    return datetime.now(UTC) - timedelta(**delta)


def event(
    type_: str,
    *,
    at: datetime | None = None,
    user: str = "u1",
    session: str = "s1",
    conversation: str | None = None,
    event_id: str | None = None,
    **properties: Any,
) -> dict[str, Any]:
    """One wire-format event; properties as keyword arguments."""
    body: dict[str, Any] = {
        "event_id": event_id or f"e{next(_counter)}-{uuid.uuid4().hex[:8]}",
        "type": type_,
        "timestamp": iso(at or ago(minutes=1)),
        "user_id": user,
        "session_id": session,
        "properties": properties,
    }
    if conversation is not None:
        body["conversation_id"] = conversation
    return body


def post_events(
    client: TestClient, events: list[Any], *, sent_at: datetime | str | None = None
) -> dict[str, Any]:
    """POST a batch with the write key; asserts 200 and returns the answer."""
    payload: dict[str, Any] = {"events": events}
    if sent_at is not None:
        payload["sent_at"] = iso(sent_at) if isinstance(sent_at, datetime) else sent_at
    response = client.post("/v1/events", json=payload, headers=WRITE)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def validated(raw: list[dict[str, Any]], *, received_at: datetime) -> list[ValidEvent]:
    """Events that must pass validation, as the writer receives them."""
    out = []
    for i, item in enumerate(raw):
        result = validate_event(i, item, sent_at=None, received_at=received_at)
        assert not isinstance(result, Rejection), result
        out.append(result)
    return out
