"""Fixtures for the browser tests: one headless Debian Chromium per worker, a fresh context per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from chatlytics.store.database import Database
from tests.tracker.site import Chromium, Site, chromium, driving, require, running

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page


@pytest.fixture(scope="session")
def browser() -> Iterator[Chromium]:
    """Skips every test that needs it (fails under CHATLYTICS_REQUIRE_BROWSER=1) when one is missing."""
    require("browser", "built")
    with chromium() as started:
        yield started


@pytest.fixture
def context(browser: Chromium) -> Iterator[BrowserContext]:
    with driving(browser) as chrome:
        ctx = chrome.new_context()
        ctx.set_default_timeout(10_000)
        yield ctx
        ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def site(browser: Chromium, db: Database, sqlite_only: None) -> Iterator[Site]:
    """The collector (on an empty database) and the page server; runs once, on SQLite."""
    with running(db) as started:
        yield started
