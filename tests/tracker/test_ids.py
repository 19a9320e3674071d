"""Ids: an anonymous user kept in localStorage, a session with a 30-minute idle timeout, UUIDv7 events."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

from playwright.sync_api import Page

from tests.tracker.site import Site, wait

UUID7 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_ids_persist_across_reloads_and_events_carry_them(page: Page, site: Site) -> None:
    page.goto(site.url("/pricing"))
    first = page.evaluate("chatlytics.ids()")
    page.reload()
    assert page.evaluate("chatlytics.ids()") == first
    # Leaving the first page also sent its page_hidden (by beacon): a reload hides the page.
    assert wait(page.wait_for_timeout, lambda: len(site.events()) == 3)
    assert [e["type"] for e in site.events()] == ["page_view", "page_hidden", "page_view"]
    for event in site.events():
        assert (event["user_id"], event["session_id"]) == (first["user_id"], first["session_id"])
        assert event["source"] == "widget"
        assert event["page_url"] == site.url("/pricing")
        if event["type"] == "page_view":
            assert event["properties"] == {"title": "Test page"}
        assert UUID7.match(event["event_id"])
        # The first 48 bits are the creation time in milliseconds.
        millis = int(event["event_id"].replace("-", "")[:12], 16)
        assert abs(millis / 1000 - time.time()) < 60
        assert event["client_timestamp"].replace(tzinfo=UTC) <= datetime.now(UTC)
    assert site.failed() == []


def test_a_new_session_starts_after_30_idle_minutes(page: Page, site: Site) -> None:
    page.goto(site.url())
    first = page.evaluate("chatlytics.ids()")
    page.evaluate(
        """() => {
        const [id, last] = JSON.parse(localStorage.getItem('chatlytics.session'))
        localStorage.setItem('chatlytics.session', JSON.stringify([id, last - 29 * 60e3]))
    }"""
    )
    page.reload()
    assert page.evaluate("chatlytics.ids()") == first
    page.evaluate(
        """() => {
        const [id, last] = JSON.parse(localStorage.getItem('chatlytics.session'))
        localStorage.setItem('chatlytics.session', JSON.stringify([id, last - 31 * 60e3]))
    }"""
    )
    page.reload()
    second = page.evaluate("chatlytics.ids()")
    assert second["user_id"] == first["user_id"]
    assert second["session_id"] != first["session_id"]


def test_identify_names_the_user_and_starts_a_session(page: Page, site: Site) -> None:
    page.goto(site.url(auto="false"))
    anonymous = page.evaluate("chatlytics.ids()")
    page.evaluate("chatlytics.identify('customer-42'); chatlytics.track('signed_in')")
    named = page.evaluate("chatlytics.ids()")
    assert named["user_id"] == "customer-42"
    assert named["session_id"] != anonymous["session_id"]
    page.reload()
    assert page.evaluate("chatlytics.ids()") == named
    assert wait(page.wait_for_timeout, site.events)
    [event] = site.events()
    assert (event["type"], event["user_id"]) == ("signed_in", "customer-42")
