"""/healthz, /readyz and /metrics, and the middleware that times every request by route."""

from __future__ import annotations

import time

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chatlytics.context import Context
from chatlytics.ops import metrics
from chatlytics.store.migrate import current, head

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(ctx: Context) -> JSONResponse:
    """The database answers and its schema is at the newest migration."""
    retry = {"Retry-After": str(ctx.settings.retry_after_seconds)}
    try:
        with ctx.db.read() as conn:
            conn.execute(sa.text("SELECT 1"))
        revision = current(ctx.db)
    except sa.exc.SQLAlchemyError as exc:
        return JSONResponse(
            {"status": "unavailable", "database": str(exc.__class__.__name__)},
            status_code=503,
            headers=retry,
        )
    expected = head()
    if revision != expected:
        return JSONResponse(
            {"status": "migrations pending", "current": revision, "expected": expected},
            status_code=503,
            headers=retry,
        )
    return JSONResponse({"status": "ready", "revision": revision})


@router.get("/metrics", response_class=PlainTextResponse)
def prometheus() -> PlainTextResponse:
    """Prometheus text format."""
    return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)


class RequestMetrics:
    """Observe each HTTP request's latency under its route template (not the raw path)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            metrics.REQUEST_SECONDS.labels(scope["method"], path, str(status)).observe(
                time.perf_counter() - started
            )
