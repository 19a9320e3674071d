"""POST /v1/events: the wire contract v1 (docs/events.md)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from chatlytics.access import bearer, check
from chatlytics.context import AppContext, Context
from chatlytics.events.validate import parse_rfc3339
from chatlytics.ingest.body import read_json
from chatlytics.ingest.client import describe_client
from chatlytics.ingest.pipeline import ingest
from chatlytics.ops import metrics

MAX_EVENTS = 500
router = APIRouter(tags=["ingestion"])


class RejectedEvent(BaseModel):
    index: int = Field(description="position of the event in the request's `events`")
    event_id: str | None
    error: str = Field(description="why it was refused; the event is kept in failed_events")


class IngestResult(BaseModel):
    accepted: int = Field(description="events stored by this request for the first time")
    duplicates: int = Field(description="events whose event_id was already stored")
    rejected: list[RejectedEvent]
    discarded: int = Field(
        0, description="events received but by rule not stored (known bots, consent false)"
    )


def _header_key(request: Request) -> str | None:
    return bearer(request) or request.headers.get("x-write-key")


async def _check_write_key(ctx: AppContext, key: str | None) -> None:
    if key and ctx.keys.cached_role_of(key) is False:  # the cache is stale: may read the database
        await asyncio.to_thread(check, ctx.keys, key, "write")
    else:
        check(ctx.keys, key, "write")


def _events_of(body: object) -> list[object]:
    if not isinstance(body, dict):
        raise HTTPException(400, "body must be a JSON object with an `events` list")
    events = body.get("events")
    if not isinstance(events, list) or not events:
        raise HTTPException(400, "`events` must be a non-empty list of event objects")
    if len(events) > MAX_EVENTS:
        raise HTTPException(413, f"at most {MAX_EVENTS} events per request, got {len(events)}")
    return events


@router.post(
    "/v1/events",
    response_model=IngestResult,
    responses={
        202: {"description": "analytics disabled: nothing stored"},
        400: {},
        401: {},
        429: {"description": "rate limit: retry after Retry-After seconds"},
        403: {},
        413: {},
        503: {},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object", "required": ["events"]}}},
        }
    },
)
async def post_events(request: Request, ctx: Context) -> IngestResult | JSONResponse:
    """Store a batch of events; answers only after they are committed."""
    received_at = datetime.now(UTC)
    if not ctx.settings.analytics_enabled:
        metrics.EVENTS.labels("disabled").inc()
        return JSONResponse(
            {"accepted": 0, "duplicates": 0, "rejected": [], "disabled": True}, status_code=202
        )
    address = request.client.host if request.client else None
    with ctx.writer.receiving():
        header_key = _header_key(request)
        if header_key:  # refuse a wrong key before reading a body that may be large
            await _check_write_key(ctx, header_key)
            ctx.limits.check(header_key, address)
        body = await read_json(request)
        events = _events_of(body)
        assert isinstance(body, dict)
        if not header_key:  # sendBeacon cannot set headers: the key travels in the body
            body_key = body.get("write_key")
            key = body_key if isinstance(body_key, str) else None
            await _check_write_key(ctx, key)
            ctx.limits.check(key, address)
        sent_at = None
        if body.get("sent_at") is not None:
            try:
                sent_at = parse_rfc3339(body["sent_at"])
            except ValueError as exc:
                raise HTTPException(400, f"sent_at: {exc}") from None
    # Validation and queueing in `ingest` do not yield to the event loop, so the writer never sees
    # this request as neither on its way nor queued.
    client = describe_client(
        request.headers.get("user-agent"), address, ctx.settings.client_ip_mode
    )
    outcome = await ingest(ctx, events, sent_at=sent_at, received_at=received_at, client=client)
    return IngestResult(
        accepted=outcome.accepted,
        duplicates=outcome.duplicates,
        discarded=outcome.discarded,
        rejected=[
            RejectedEvent(index=r.index, event_id=r.event_id, error=r.error)
            for r in outcome.rejected
        ],
    )
