"""The dashboard: a page served at /dashboard that shows the analytics API's figures, and its live stream.

The page's source is in dashboard/ at the repository root; `make dashboard` builds it into `static/`
(not committed). Include `router` in the app, or `dashboard_router(...)` to serve another build or
beat faster (tests).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from chatlytics.dashboard.pages import SECURITY_HEADERS, STATIC, pages_router
from chatlytics.dashboard.stream import HEARTBEAT_S, stream_router


def dashboard_router(static: Path = STATIC, *, heartbeat_s: float = HEARTBEAT_S) -> APIRouter:
    """The page, its assets and its stream."""
    router = APIRouter()
    router.include_router(pages_router(static))
    router.include_router(stream_router(heartbeat_s=heartbeat_s))
    return router


router = dashboard_router()

__all__ = ["SECURITY_HEADERS", "STATIC", "dashboard_router", "router"]
