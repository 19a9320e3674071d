"""The browser tracker: its source is in tracker/ at the repository root, built into static/t.js
(`make tracker`), and served by the collector at GET /t.js."""

from __future__ import annotations

from chatlytics.tracker.routes import BUILT, router, tracker_router

__all__ = ["BUILT", "router", "tracker_router"]
