"""GET /v1/failed_events: what was refused, why, and the event as it was sent (admin key)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, field_serializer

from chatlytics.access import AdminKey
from chatlytics.context import Context
from chatlytics.store.failed import count_failed, recent_failed

router = APIRouter(tags=["ingestion"])


class FailedEvent(BaseModel):
    id: int
    received_at: datetime
    event_id: str | None
    user_id: str | None
    reason: str
    raw: Any

    @field_serializer("received_at")
    def _utc(self, value: datetime) -> str:
        return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


class FailedEvents(BaseModel):
    total: int
    items: list[FailedEvent]
    next_before_id: int | None


@router.get("/v1/failed_events", response_model=FailedEvents)
def failed_events(
    ctx: Context,
    _: AdminKey,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> FailedEvents:
    """Refused events, newest first; page with `before_id`."""
    with ctx.db.read() as conn:
        items = recent_failed(conn, limit=limit, before_id=before_id)
        total = count_failed(conn)
    next_id = items[-1]["id"] if len(items) == limit else None
    return FailedEvents(
        total=total, items=[FailedEvent(**i) for i in items], next_before_id=next_id
    )
