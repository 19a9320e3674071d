"""Delivery: batches, the localStorage outbox, retries with backoff, beacons on exit, the runaway cap."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page, Route

from tests.tracker.site import Site, wait

# Answers made up by page.route come from another origin than the page: they need CORS headers, or
# the browser would hide them from the tracker as network errors.
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "Retry-After"}


def track(page: Page, count: int, prefix: str = "test.event") -> list[str]:
    """Track `count` custom events; the ids of every event the page committed so far."""
    page.evaluate(f"for (let i = 0; i < {count}; i++) chatlytics.track('{prefix}', {{n: i}})")
    ids: list[str] = page.evaluate("tracked")
    return ids


def outbox(page: Page) -> list[dict[str, Any]]:
    box: list[dict[str, Any]] = page.evaluate(
        "JSON.parse(localStorage.getItem('chatlytics.outbox'))"
    )
    return box


def test_a_full_batch_goes_at_once_without_waiting_for_the_timer(page: Page, site: Site) -> None:
    page.goto(site.url(auto="false", **{"flush-ms": "60000"}))
    tracked = track(page, 20)
    assert wait(page.wait_for_timeout, lambda: site.ids() == set(tracked))
    tracked = track(page, 3)
    page.wait_for_timeout(500)
    assert len(site.ids()) == 20
    assert len(outbox(page)) == 3
    page.evaluate("chatlytics.flush()")
    assert wait(page.wait_for_timeout, lambda: site.ids() == set(tracked))
    assert wait(page.wait_for_timeout, lambda: not outbox(page))


def hold_a_full_batch(page: Page, site: Site) -> tuple[list[Route], list[str]]:
    """Open the page with a 60 s timer and track 20 events, whose request is held unanswered: the
    held requests (to continue or abort), and the ids of the 20."""
    held: list[Route] = []
    page.route("**/v1/events", lambda route: held.append(route))
    page.goto(site.url(auto="false", **{"flush-ms": "60000"}))
    first = track(page, 20)
    assert wait(page.wait_for_timeout, lambda: held)
    return held, first


def test_events_tracked_while_a_request_is_in_flight_wait_for_the_timer(
    page: Page, site: Site
) -> None:
    held, first = hold_a_full_batch(page, site)
    tracked = track(page, 3)  # while the batch of 20 waits for its answer: 23 in the outbox
    held[0].continue_()
    page.unroute("**/v1/events")
    assert wait(page.wait_for_timeout, lambda: len(outbox(page)) == 3)
    page.wait_for_timeout(700)
    assert site.ids() == set(first)
    assert len(held) == 1
    page.evaluate("chatlytics.flush()")
    assert wait(page.wait_for_timeout, lambda: site.ids() == set(tracked))


def test_a_flush_asked_for_while_a_request_is_in_flight_follows_its_answer(
    page: Page, site: Site
) -> None:
    held, _ = hold_a_full_batch(page, site)
    tracked = track(page, 2)
    page.evaluate("chatlytics.flush()")
    held[0].continue_()
    page.unroute("**/v1/events")
    assert wait(page.wait_for_timeout, lambda: site.ids() == set(tracked))
    assert wait(page.wait_for_timeout, lambda: not outbox(page))


def test_what_a_request_cannot_carry_goes_next_without_waiting(page: Page, site: Site) -> None:
    """20 events of about 4 KB: a request carries 60 KB, so 13 go first and the other 7, which were
    due as well, right after the answer, not a flush-ms later."""
    page.goto(site.url(auto="false", **{"flush-ms": "60000"}))
    page.evaluate(
        "for (let i = 0; i < 20; i++) chatlytics.track('test.big', {n: i, text: 'x'.repeat(4000)})"
    )
    tracked: list[str] = page.evaluate("tracked")
    assert wait(page.wait_for_timeout, lambda: site.ids() == set(tracked), timeout=10)
    assert wait(page.wait_for_timeout, lambda: not outbox(page))


def test_a_failed_request_is_retried_soon_whatever_timer_was_pending(
    page: Page, site: Site
) -> None:
    held, _ = hold_a_full_batch(page, site)
    tracked = track(page, 3)  # their 60 s timer starts now
    held[0].abort()  # the retry (0.5 to 1 s later) must not wait for that timer
    page.unroute("**/v1/events")
    assert wait(page.wait_for_timeout, lambda: site.ids() == set(tracked), timeout=8)


def test_offline_events_wait_in_the_outbox_and_arrive_once(page: Page, site: Site) -> None:
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(site.url(auto="false"))
    page.context.set_offline(True)
    tracked = track(page, 30)
    assert wait(page.wait_for_timeout, lambda: failed)  # it tried, and now backs off
    assert len(outbox(page)) == 30
    tracked = track(page, 5)
    page.context.set_offline(False)
    assert wait(page.wait_for_timeout, lambda: not outbox(page))
    assert site.ids() == set(tracked)
    assert len(tracked) == 35


def test_undelivered_events_survive_a_reload_with_their_ids(page: Page, site: Site) -> None:
    page.route("**/v1/events", lambda route: route.abort())
    page.goto(site.url(auto="false"))
    tracked = track(page, 4)
    page.wait_for_timeout(400)
    assert [e["event_id"] for e in outbox(page)] == tracked
    page.unroute("**/v1/events")
    page.reload()
    assert wait(page.wait_for_timeout, lambda: site.ids() == set(tracked))
    assert wait(page.wait_for_timeout, lambda: not outbox(page))


def test_503_is_retried_after_retry_after_and_delivered_once(page: Page, site: Site) -> None:
    answered: list[float] = []

    def unavailable_twice(route: Route) -> None:
        answered.append(time.monotonic())
        if len(answered) <= 2:
            # Without Retry-After the first retry would come after 0.5 to 1 s.
            wait = "2" if len(answered) == 1 else "1"
            route.fulfill(status=503, headers={**CORS, "Retry-After": wait}, body="{}")
        else:
            route.continue_()

    page.route("**/v1/events", unavailable_twice)
    page.goto(site.url(auto="false"))
    tracked = track(page, 6)
    assert wait(page.wait_for_timeout, lambda: site.ids() == set(tracked))
    assert wait(page.wait_for_timeout, lambda: not outbox(page))
    assert len(answered) == 3
    assert answered[1] - answered[0] >= 1.95
    assert answered[2] - answered[1] >= 0.95
    page.wait_for_timeout(300)
    assert len(answered) == 3


def test_a_4xx_is_never_retried_and_its_events_are_dropped(page: Page, site: Site) -> None:
    answered: list[str] = []

    def bad_request(route: Route) -> None:
        answered.append(route.request.post_data or "")
        route.fulfill(status=400, headers=CORS, body='{"detail": "no"}')

    page.route("**/v1/events", bad_request)
    page.goto(site.url(auto="false"))
    track(page, 3)
    assert wait(page.wait_for_timeout, lambda: answered)
    page.wait_for_timeout(1500)
    assert len(answered) == 1
    assert outbox(page) == []


def test_leaving_the_page_sends_what_is_left_by_beacon(page: Page, site: Site) -> None:
    page.goto(site.url(**{"flush-ms": "60000"}))
    page.evaluate(
        """chatlytics.widgetOpen()
        chatlytics.track('user_message', {content: 'Do you ship to Canada?'}, {conversation_id: 'c-1'})
        chatlytics.lastMessages({last_bot_message: 'Yes, in 5 to 7 days.'})"""
    )
    page.wait_for_timeout(300)
    assert site.events() == []
    page.goto(site.pages + "/plain")
    assert wait(page.wait_for_timeout, lambda: len(site.events()) == 5)
    by_type = {e["type"]: e for e in site.events()}
    assert set(by_type) == {
        "page_view",
        "widget_open",
        "user_message",
        "widget_close",
        "page_hidden",
    }
    close = by_type["widget_close"]
    assert close["conversation_id"] == "c-1"
    assert close["properties"]["last_user_message"] == "Do you ship to Canada?"
    assert close["properties"]["last_bot_message"] == "Yes, in 5 to 7 days."
    assert 0.25 <= close["properties"]["time_spent_seconds"] < 10
    assert site.failed() == []


def test_a_runaway_page_is_capped_at_100_events_a_minute(page: Page, site: Site) -> None:
    page.goto(site.url(auto="false"))
    tracked = track(page, 150)
    assert len(tracked) == 100
    assert page.evaluate("chatlytics.dropped") == 50
    assert wait(page.wait_for_timeout, lambda: site.ids() == set(tracked))


def test_the_outbox_keeps_the_newest_500_events(page: Page, site: Site) -> None:
    page.route("**/v1/events", lambda route: route.abort())
    page.goto(site.url(auto="false"))
    page.evaluate(
        """const old = Array.from({length: 498}, (_, i) => ({event_id: 'old-' + i, type: 'old'}))
        localStorage.setItem('chatlytics.outbox', JSON.stringify(old))"""
    )
    tracked = track(page, 5)
    box = outbox(page)
    assert len(box) == 500
    assert [e["event_id"] for e in box[-5:]] == tracked
    assert box[0] == {"event_id": "old-3", "type": "old"}
    assert page.evaluate("chatlytics.dropped") == 3


def test_bad_input_fails_silently(page: Page, site: Site) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site.url(auto="false"))
    page.evaluate(
        """const loop = {}; loop.self = loop
        chatlytics.track('cyclic', loop)
        chatlytics.beforeSend((event) => { if (event.type == 'boom') throw new Error('hook'); return event })
        chatlytics.track('boom')
        chatlytics.track('fine')"""
    )
    assert wait(page.wait_for_timeout, site.events)
    page.wait_for_timeout(300)
    assert [e["type"] for e in site.events()] == ["fine"]
    assert errors == []
