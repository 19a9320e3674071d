"""GET /dashboard/stream: server-sent events telling a signed-in page that new events were stored.

The stream carries no figures, only "something changed": the page then asks the analytics API again, so
what it shows always comes from there. It sends `event: hello` on connecting, `event: commit` after
each writer commit that stored something in this process (at most one every MIN_GAP_S, so a busy
collector does not flood the page), and a comment line every `heartbeat_s` so that proxies keep the
connection open. The key is checked again at every heartbeat: a revoked key loses the stream within
about KEY_CACHE_SECONDS + heartbeat_s, and the page's reconnection then gets the 401.

The browser's EventSource cannot send an Authorization header, so the page reads this with `fetch`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from chatlytics.access import ALLOWED, KeyRing, ReadKey, bearer
from chatlytics.context import Context
from chatlytics.dashboard.pages import SECURITY_HEADERS
from chatlytics.store.writer import BatchWriter

HEARTBEAT_S = 15.0
MIN_GAP_S = 0.25
STREAM_HEADERS = {
    **SECURITY_HEADERS,
    "Cache-Control": "no-store",
    "X-Accel-Buffering": "no",  # nginx: pass each event on at once
}


def message(event: str, data: str) -> str:
    """One server-sent event."""
    return f"event: {event}\ndata: {data}\n\n"


def _still_valid(keys: KeyRing, key: str) -> bool:
    return keys.role_of(key) in ALLOWED["read"]


async def commit_events(
    writer: BatchWriter, keys: KeyRing, key: str, *, heartbeat_s: float
) -> AsyncIterator[str]:
    """The stream's text: hello, then a commit event per new commit and heartbeats, until the key
    stops being valid (or the client leaves: Starlette then cancels this generator)."""
    seen = writer.commits
    yield message("hello", f'{{"commits": {seen}}}')
    beat_at = time.monotonic() + heartbeat_s
    while True:
        remaining = beat_at - time.monotonic()
        if remaining <= 0:
            if not await asyncio.to_thread(_still_valid, keys, key):
                return
            yield ": heartbeat\n\n"
            beat_at = time.monotonic() + heartbeat_s
            continue
        commits = await writer.wait_for_commit(seen, remaining)
        if commits > seen:
            seen = commits
            yield message("commit", f'{{"commits": {seen}}}')
            await asyncio.sleep(MIN_GAP_S)


def stream_router(*, heartbeat_s: float = HEARTBEAT_S) -> APIRouter:
    """The /dashboard/stream route, with a heartbeat every `heartbeat_s` seconds."""
    router = APIRouter(tags=["dashboard"])

    @router.get(
        "/dashboard/stream",
        response_class=StreamingResponse,
        summary="Live: an event whenever new events are stored (read key)",
        responses={
            200: {"content": {"text/event-stream": {}}, "description": "server-sent events"},
            401: {"description": "no key, or an unknown or revoked key"},
            403: {"description": "a write key"},
        },
    )
    def stream(_: ReadKey, request: Request, ctx: Context) -> StreamingResponse:
        key = bearer(request)
        assert key is not None  # ReadKey has refused a request without one
        return StreamingResponse(
            commit_events(ctx.writer, ctx.keys, key, heartbeat_s=heartbeat_s),
            media_type="text/event-stream",
            headers=STREAM_HEADERS,
        )

    return router
