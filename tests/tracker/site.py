"""The tracker's test site: the real collector on loopback, and a page server on another origin.

The page server answers every path with a page that loads `<collector>/t.js`; the query string
becomes the script's data- attributes (`?consent=required` -> `data-consent="required"`). Each page
records the ids of the events the tracker commits in `window.tracked` (a beforeSend hook).
"""

from __future__ import annotations

import asyncio
import html
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import orjson
import pytest
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from chatlytics import create_app
from chatlytics.store.database import Database
from chatlytics.store.schema import events, failed_events
from chatlytics.tracker import BUILT, tracker_router
from tests.conftest import make_settings
from tests.sdk.servers import serve

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Not "HeadlessChrome", which the collector drops as a bot. A context's user_agent would not do:
    # Chromium sends the beacons of a page being left with the browser's own User-Agent.
    "--user-agent=Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Safari/537.36",
]
REQUIRED = os.environ.get("CHATLYTICS_REQUIRE_BROWSER") == "1"
DEFAULTS = {"write-key": "test-write", "flush-ms": "100"}
RECORDER = "window.tracked = []; chatlytics.beforeSend((e) => (tracked.push(e.event_id), e))"


def require(*needs: str) -> None:
    """Skip (or, with CHATLYTICS_REQUIRE_BROWSER=1 as in CI, fail) when a need is missing."""
    missing = []
    if "built" in needs and not BUILT.is_file():
        missing.append(f"the tracker is not built ({BUILT}): run `make tracker`")
    if "browser" in needs:
        if not CHROMIUM.is_file():
            missing.append(
                f"Debian's chromium is not installed ({CHROMIUM}): apt-get install chromium"
            )
        try:
            import playwright  # noqa: F401
        except ImportError:
            missing.append("playwright is not installed: pip install -e '.[dev]'")
    if missing:
        reason = "; ".join(missing)
        if REQUIRED:
            pytest.fail(f"{reason} (CHATLYTICS_REQUIRE_BROWSER=1)")
        pytest.skip(reason)


@dataclass(frozen=True)
class Chromium:
    browser: Browser
    loop: asyncio.AbstractEventLoop


@contextmanager
def chromium() -> Iterator[Chromium]:
    """Playwright and a headless Chromium, kept for a whole session without disturbing other tests.

    Playwright's sync API marks its event loop as the thread's running loop after every call, which
    makes `asyncio.run()` fail in any later test of the worker (and another `sync_playwright()` too).
    So the loop is marked only while a browser test runs: see `driving`.
    """
    from playwright.sync_api import sync_playwright

    outer = asyncio._get_running_loop()
    asyncio._set_running_loop(None)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            started = Chromium(browser, asyncio.get_running_loop())
            asyncio._set_running_loop(outer)
            try:
                yield started
            finally:
                asyncio._set_running_loop(started.loop)
                browser.close()
    finally:
        asyncio._set_running_loop(outer)


@contextmanager
def driving(started: Chromium) -> Iterator[Browser]:
    """For one test: Playwright's loop marked as running (as its sync API expects), then unmarked."""
    outer = asyncio._get_running_loop()
    asyncio._set_running_loop(started.loop)
    try:
        yield started.browser
    finally:
        asyncio._set_running_loop(outer)


def page_app(collector: str) -> Starlette:
    def page(request: Request) -> HTMLResponse:
        if request.url.path == "/plain":
            return HTMLResponse("<!doctype html><title>No tracker</title><p>Elsewhere.</p>")
        attrs = {**DEFAULTS, **request.query_params}
        data = " ".join(f'data-{k}="{html.escape(v)}"' for k, v in attrs.items())
        return HTMLResponse(
            f"<!doctype html><title>Test page</title><p>Hello.</p>"
            f'<script src="{collector}/t.js" {data}></script><script>{RECORDER}</script>'
        )

    return Starlette(routes=[Route("/{path:path}", page)])


@dataclass(frozen=True)
class Site:
    db: Database
    collector: str
    pages: str

    def url(self, path: str = "/", **attrs: str) -> str:
        """A page at `path` whose tracker has these data- attributes (beside DEFAULTS)."""
        return self.pages + path + ("?" + urlencode(attrs) if attrs else "")

    def events(self) -> list[dict[str, Any]]:
        """The stored events, oldest first, with `properties` decoded."""
        with self.db.read() as conn:
            rows = conn.execute(sa.select(events).order_by(events.c.client_timestamp))
            found = [dict(row._mapping) for row in rows]
        for row in found:
            row["properties"] = orjson.loads(row["properties"])
        return found

    def in_order(self, page: Page) -> list[dict[str, Any]]:
        """The stored events in the order this page committed them (times may tie within a ms)."""
        order = {event_id: n for n, event_id in enumerate(page.evaluate("tracked"))}
        return sorted(self.events(), key=lambda e: order.get(e["event_id"], -1))

    def failed(self) -> list[str]:
        with self.db.read() as conn:
            return [r for (r,) in conn.execute(sa.select(failed_events.c.reason))]

    def ids(self) -> set[str]:
        return {row["event_id"] for row in self.events()}


@contextmanager
def running(db: Database) -> Iterator[Site]:
    """The collector (with the tracker route) and the page server, each on its own free port."""
    app = create_app(make_settings(), db=db)
    if not any(getattr(route, "path", None) == "/t.js" for route in app.routes):
        app.include_router(tracker_router())  # until create_app serves it itself
    with serve(app) as collector, serve(page_app(collector)) as pages:
        yield Site(db, collector, pages)


def wait(pause: Callable[[float], None], condition: Callable[[], Any], timeout: float = 10) -> Any:
    """Poll `condition()` until it is truthy; `pause(ms)` must keep Playwright's handlers running."""
    deadline = time.monotonic() + timeout
    while not (result := condition()) and time.monotonic() < deadline:
        pause(50)
    return result
