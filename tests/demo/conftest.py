"""Fixtures of the demo's tests: the running stack, and Chromium on a thread of its own."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from chatlytics.store.database import Database
from tests.demo.stack import Scenario, Stack, off_loop, running
from tests.tracker.site import CHROMIUM, CHROMIUM_ARGS, require


@pytest.fixture
def stack(db: Database, sqlite_only: None) -> Iterator[Stack]:
    """Collector and demo on an empty database; the demo depends on no backend, so SQLite only."""
    with running(db) as started:
        yield started


@pytest.fixture
def in_browser() -> Callable[[Scenario], None]:
    """Plays a scenario on a new page of a headless Chromium started for it, on a fresh thread.

    Playwright's sync API marks its event loop as running on the thread that uses it, and refuses to
    start where one is running: on a thread of its own, this browser neither depends on nor disturbs
    the suite's other browser fixtures, or tests that call asyncio.run(). Skips (fails under
    CHATLYTICS_REQUIRE_BROWSER=1) without Chromium, Playwright or a built t.js.
    """
    require("browser", "built")

    def play(scenario: Scenario) -> None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            try:
                context = chromium.new_context()
                context.set_default_timeout(10_000)
                scenario(context.new_page())
            finally:
                chromium.close()

    return lambda scenario: off_loop(play, scenario)
