"""The original widget's unauthenticated POST routes, turned into catalogue events.

Enabled by CHATLYTICS_LEGACY_ROUTES=true. Each call becomes one event whose id is a hash of the route and
the body, so a resent call is a duplicate. Anyone who can reach these routes can write events.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import APIRouter, HTTPException, Request

from chatlytics.context import AppContext, Context
from chatlytics.ingest.body import read_json
from chatlytics.ingest.client import describe_client
from chatlytics.ingest.pipeline import ingest

router = APIRouter(prefix="/analytics", tags=["legacy"])
Body = dict[str, Any]
ANONYMOUS = "legacy-anonymous"


def _ids(body: Body) -> Body:
    return {
        "user_id": str(body.get("user_id") or ANONYMOUS),
        "session_id": str(body.get("session_id") or body.get("user_id") or ANONYMOUS),
    }


def _lead(body: Body) -> Body:
    return {
        "type": "lead_submitted",
        "properties": {
            "lead_type": body.get("lead_type"),
            "name": body.get("name"),
            **{k: body[k] for k in ("email", "phone", "lead_id") if k in body},
        },
    }


def _handover(body: Body) -> Body:
    return {
        "type": "handover_requested",
        "time": body.get("requested_at"),
        "properties": {
            "issues": body.get("issues") or [],
            "support_option": body.get("support_option"),
            "other_text": body.get("other_text"),
            "last_message": body.get("last_message"),
        },
    }


def _close(body: Body) -> Body:
    return {
        "type": "widget_close",
        "time": body.get("closed_at"),
        "properties": {
            "time_spent_seconds": body.get("time_spent_seconds"),
            "last_user_message": body.get("last_user_message"),
            "last_bot_message": body.get("last_bot_message"),
        },
    }


def _session_end(body: Body) -> Body:
    return {
        "type": "session_end",
        "time": body.get("end_time"),
        "properties": {"status": "completed", "reported_duration": body.get("duration")},
    }


def _user_left(body: Body) -> Body:
    return {
        "type": "session_end",
        "time": body.get("timestamp"),
        "properties": {"status": "completed", "reason": body.get("reason") or "user_left"},
    }


ROUTES: dict[str, Callable[[Body], Body]] = {
    "leads": _lead,
    "human_handover": _handover,
    "chatbot_close": _close,
    "session_end": _session_end,
    "user_left": _user_left,
}


def _timestamp(value: object, now: datetime) -> str:
    """The original widget sent naive ISO times in UTC; keep them, adding the offset it left out."""
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value  # the validator will reject it with its reason
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).isoformat()
    return now.isoformat()


def to_event(route: str, body: Body, now: datetime) -> Body:
    """The catalogue event for one legacy call (event_id: hash of route and body)."""
    mapped = ROUTES[route](body)
    digest = hashlib.sha256(
        route.encode() + b"\0" + orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    )
    properties = {k: v for k, v in mapped["properties"].items() if v is not None}
    return {
        "event_id": f"legacy-{digest.hexdigest()[:40]}",
        "type": mapped["type"],
        "timestamp": _timestamp(mapped.get("time"), now),
        "source": "widget",
        **_ids(body),
        "properties": properties,
    }


async def _handle(route: str, request: Request, ctx: AppContext) -> dict[str, Any]:
    now = datetime.now(UTC)
    if not ctx.settings.analytics_enabled:
        return {"status": "disabled"}
    body = await read_json(request, limit=32 * 1024)
    if not isinstance(body, dict):
        raise HTTPException(400, "body must be a JSON object")
    address = request.client.host if request.client else None
    ctx.limits.check(None, address)
    client = describe_client(
        request.headers.get("user-agent"), address, ctx.settings.client_ip_mode
    )
    event = to_event(route, body, now)
    outcome = await ingest(ctx, [event], sent_at=None, received_at=now, client=client)
    if outcome.rejected:
        raise HTTPException(422, outcome.rejected[0].error)
    return {"status": "success", "duplicate": outcome.duplicates > 0}


def _register(route: str) -> None:
    async def endpoint(request: Request, ctx: Context) -> dict[str, Any]:
        return await _handle(route, request, ctx)

    endpoint.__name__ = f"legacy_{route}"
    router.add_api_route(
        f"/{route}",
        endpoint,
        methods=["POST"],
        summary=f"Original widget's POST /analytics/{route} (legacy)",
    )


for _route in ROUTES:
    _register(_route)
