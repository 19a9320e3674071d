"""Fixtures of the browser tests: one headless Debian Chromium per worker, and a watched dashboard page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from chatlytics.store.database import Database
from tests.dashboard.insights import Expected, build
from tests.dashboard.site import CHROMIUM, CHROMIUM_ARGS, Dashboard, post, require_browser, running

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Skips every test that needs it (fails under CHATLYTICS_REQUIRE_BROWSER=1) when one is missing.

    Module-scoped, not session-scoped: while Playwright's sync API runs, its event loop counts as
    running in this thread, so a later test's asyncio.run() would fail.
    """
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def collector(request: pytest.FixtureRequest, db: Database, sqlite_only: None) -> Iterator[str]:
    """The collector with the dashboard on an empty database; runs once, on SQLite. A test module's
    COLLECTOR_SETTINGS, if it has them, are the collector's settings."""
    with running(db, **getattr(request.module, "COLLECTOR_SETTINGS", {})) as url:
        yield url


@pytest.fixture
def dashboard(browser: Browser, collector: str) -> Iterator[Dashboard]:
    """A fresh browser context on the dashboard. The test fails if the page logged an error or a
    warning (a CSP violation is one) or opened a dialog, unless the test allowed that message."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(10_000)
    found = Dashboard(context.new_page(), collector)
    yield found
    context.close()
    assert found.dialogs == [], f"the page opened dialogs: {found.dialogs}"
    assert found.unexpected() == [], f"the page logged: {found.unexpected()}"


@pytest.fixture
def expected(dashboard: Dashboard) -> Expected:
    """The growth and operations scenario (tests.dashboard.insights), stored; and its figures."""
    scenario = build()
    wire = scenario.wire()
    for i in range(0, len(wire), 250):
        post(dashboard.url, wire[i : i + 250])
    return Expected(scenario)
