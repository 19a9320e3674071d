"""Automatic events (page views, SPA navigation, visibility) and the widget API, as the collector stores them."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.tracker.site import Site, wait

HIDE = """Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true})
document.dispatchEvent(new Event('visibilitychange'))"""
SHOW = """Object.defineProperty(document, 'visibilityState', {value: 'visible', configurable: true})
document.dispatchEvent(new Event('visibilitychange'))"""


def test_spa_history_changes_are_navigations_and_page_views(page: Page, site: Site) -> None:
    page.goto(site.url("/shop"))
    start = page.url
    page.evaluate("history.pushState({}, '', '/shop/boots?size=42')")
    page.evaluate("history.replaceState({}, '', location.href)")  # same URL: nothing
    page.evaluate("document.title = 'Boots'; history.replaceState({}, '', '/shop/boots')")
    page.evaluate("history.back()")
    boots = site.pages + "/shop/boots?size=42"
    moves = [
        (start, boots),
        (boots, site.pages + "/shop/boots"),
        (site.pages + "/shop/boots", start),
    ]
    assert wait(page.wait_for_timeout, lambda: len(site.events()) == 7)
    events = site.in_order(page)
    assert [e["type"] for e in events] == ["page_view"] + ["navigation", "page_view"] * 3
    for (old, new), navigation, view in zip(moves, events[1::2], events[2::2], strict=True):
        assert navigation["properties"] == {"from_url": old, "to_url": new}
        assert view["page_url"] == new
        assert view["properties"]["referrer"] == old
    assert events[4]["properties"]["title"] == "Boots"


def test_visibility_changes_are_tracked_and_hiding_sends_a_beacon(page: Page, site: Site) -> None:
    page.goto(site.url(**{"flush-ms": "60000"}))
    page.evaluate(HIDE)
    assert wait(page.wait_for_timeout, lambda: len(site.events()) == 2)  # by beacon
    page.evaluate(SHOW)
    page.evaluate("chatlytics.flush()")
    assert wait(page.wait_for_timeout, lambda: len(site.events()) == 3)
    assert [e["type"] for e in site.in_order(page)] == ["page_view", "page_hidden", "page_visible"]


def test_auto_false_sends_only_what_the_page_tracks(page: Page, site: Site) -> None:
    page.goto(site.url(auto="false"))
    page.evaluate("history.pushState({}, '', '/elsewhere'); chatlytics.track('checkout.started')")
    page.evaluate(HIDE)
    assert wait(page.wait_for_timeout, site.events)
    page.wait_for_timeout(300)
    assert [e["type"] for e in site.events()] == ["checkout.started"]


def test_the_widget_api_sends_valid_catalogue_events(page: Page, site: Site) -> None:
    page.goto(site.url(auto="false", collector=site.collector + "/"))
    page.evaluate(
        """const c = {conversation_id: 'c-9'}
        chatlytics.widgetOpen(c)
        chatlytics.track('bot_response', {content: 'Hi!', latency_ms: 120}, c)
        chatlytics.lead({lead_type: 'callback', name: 'Ann', phone: '+44 113 496 0000'}, c)
        chatlytics.handover({issues: ['billing'], support_option: 'email'}, c)
        chatlytics.productInterest({product_name: 'Boots', product_id: 'b-42'})
        chatlytics.conversion({goal: 'purchase', value: 89.5, currency: 'EUR'})
        chatlytics.feedback({rating: 5, comment: 'Quick'}, c)
        chatlytics.widgetClose({last_user_message: 'Thanks'})"""
    )
    assert wait(page.wait_for_timeout, lambda: len(site.events()) == 8)
    assert site.failed() == []
    events = {e["type"]: e for e in site.events()}
    assert set(events) == {
        "widget_open",
        "bot_response",
        "lead_submitted",
        "handover_requested",
        "product_interest",
        "conversion",
        "feedback",
        "widget_close",
    }
    assert events["conversion"]["properties"] == {
        "goal": "purchase",
        "value": 89.5,
        "currency": "EUR",
    }
    assert events["product_interest"]["conversation_id"] is None
    assert events["feedback"]["conversation_id"] == "c-9"
    close = events["widget_close"]
    # The last conversation named, and the last messages seen or given.
    assert close["conversation_id"] == "c-9"
    assert close["properties"]["last_user_message"] == "Thanks"
    assert close["properties"]["last_bot_message"] == "Hi!"
    assert close["properties"]["time_spent_seconds"] >= 0
    assert {e["source"] for e in site.events()} == {"widget"}
