"""The dashboard's test site: the real collector with the dashboard on loopback, and what its tests need.

`running(db)` serves `create_app(...)` with the transcript and dashboard routers included (unless
create_app already includes them) in a uvicorn thread, and yields its base URL.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fastapi import FastAPI

from chatlytics import create_app
from chatlytics.analytics.transcript_routes import router as transcript_router
from chatlytics.dashboard import STATIC, dashboard_router
from chatlytics.store.database import Database
from tests.conftest import make_settings
from tests.helpers import READ, WRITE
from tests.sdk.servers import serve

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Dialog, Page, Response

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRED = os.environ.get("CHATLYTICS_REQUIRE_BROWSER") == "1"
BUILT = STATIC / "index.html"
# Widget events sent by a client that calls itself a crawler (python-httpx does) are not stored.
BROWSER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def require_browser() -> None:
    """Skip (or, with CHATLYTICS_REQUIRE_BROWSER=1 as in CI, fail) without Chromium or the build."""
    missing = []
    if not BUILT.is_file():
        missing.append(f"the dashboard is not built ({BUILT}): run `make dashboard`")
    if not CHROMIUM.is_file():
        missing.append(f"Debian's chromium is not installed ({CHROMIUM}): apt-get install chromium")
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("playwright is not installed: pip install -e '.[dev]'")
    if missing:
        reason = "; ".join(missing)
        if REQUIRED:
            pytest.fail(f"{reason} (CHATLYTICS_REQUIRE_BROWSER=1)")
        pytest.skip(reason)


def with_dashboard(app: FastAPI) -> FastAPI:
    """The app with the transcript and dashboard routes, if create_app has not included them."""
    paths = {getattr(route, "path", "") for route in app.routes}
    if "/analytics/conversation/{conversation_id:path}" not in paths:
        app.include_router(transcript_router)
    if "/dashboard" not in paths:
        app.include_router(dashboard_router())
    return app


@contextmanager
def running(db: Database, **settings: object) -> Iterator[str]:
    """The collector with the dashboard, on a free loopback port; yields its base URL."""
    with serve(with_dashboard(create_app(make_settings(**settings), db=db))) as url:
        yield url


def post(base_url: str, events: list[dict[str, Any]]) -> None:
    """POST a batch with the write key, as a browser would; every event must be stored."""
    response = httpx.post(
        f"{base_url}/v1/events",
        json={"events": events},
        headers={**WRITE, "User-Agent": BROWSER_AGENT},
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["rejected"] == [], answer["rejected"]
    assert answer.get("discarded", 0) == 0, answer


def sign_in(page: Page, key: str = "test-read") -> None:
    """Sign in on the open dashboard page and wait for the first figures."""
    page.get_by_label("Read key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#view[data-loads]")


@dataclass
class Dashboard:
    """A dashboard page in the browser, watched: what it logged and which dialogs it opened."""

    page: Page
    url: str  # the collector's base URL
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("dialog", self._dialog)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console.{message.type}: {message.text}")

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def allow(self, text: str) -> None:
        """Expect console messages containing `text` (a refused key logs its 401)."""
        self.allowed.append(text)

    def unexpected(self) -> list[str]:
        return [p for p in self.problems if not any(text in p for text in self.allowed)]

    def open(self, query: str = "range=7d&interval=day") -> Response | None:
        return self.page.goto(f"{self.url}/dashboard?{query}")

    def sign_in(self, key: str = "test-read") -> None:
        sign_in(self.page, key)

    def open_tab(self, query: str, tab: str) -> None:
        """Open `tab` of the view `query`, and sign in."""
        self.open(f"{query}&tab={tab}")
        self.sign_in()
        self.page.wait_for_selector(f"#view[data-view='{tab}']")

    def shown_text(self, endpoint: str, field: str) -> str:
        """The text of the figure `field` of `endpoint` on the page."""
        selector = f'[data-endpoint="{endpoint}"][data-figure="{field}"]'
        return self.page.locator(selector).inner_text()

    def loads(self) -> int:
        """How many times the page has shown figures since it was opened."""
        return int(self.page.get_attribute("#view", "data-loads") or 0)

    def wait_for_load(self, after: int, timeout_ms: float = 10_000) -> None:
        self.page.wait_for_function(
            "n => Number(document.getElementById('view').dataset.loads || 0) > n",
            arg=after,
            timeout=timeout_ms,
        )

    def figures(self, scope: str = ".cards") -> dict[tuple[str, str], Any]:
        """Every figure shown in `scope`, by (endpoint, field), with the raw value it holds."""
        found = self.page.eval_on_selector_all(
            f"{scope} [data-figure]",
            "els => els.map(e => [e.dataset.endpoint, e.dataset.figure, e.dataset.value])",
        )
        return {(endpoint, name): json.loads(value) for endpoint, name, value in found}

    def api(self, path: str, **params: str) -> Any:
        """The analytics API's answer, asked directly with the read key."""
        response = httpx.get(self.url + path, params=params, headers=READ)
        assert response.status_code == 200, response.text
        return response.json()
