"""Privacy: the consent gate, Do Not Track / Global Privacy Control, and the beforeSend hook."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.tracker.site import Site, wait

STORED = "[Object.keys(localStorage), document.cookie]"
NO_IDS = {"user_id": None, "session_id": None}


def collector_requests(page: Page, site: Site) -> list[str]:
    """Every request the page makes to the collector from now on, but for the script itself."""
    urls: list[str] = []
    page.on(
        "request",
        lambda r: (
            urls.append(r.url)
            if r.url.startswith(site.collector) and not r.url.endswith("/t.js")
            else None
        ),
    )
    return urls


def test_nothing_is_stored_or_sent_before_consent(page: Page, site: Site) -> None:
    sent = collector_requests(page, site)
    page.goto(site.url(consent="required"))
    page.evaluate("chatlytics.identify('customer-7'); chatlytics.widgetOpen()")
    page.wait_for_timeout(500)
    assert page.evaluate("chatlytics.ids()") == NO_IDS
    assert page.evaluate(STORED) == [[], ""]
    assert sent == []

    page.evaluate("chatlytics.consent(true)")
    assert wait(page.wait_for_timeout, lambda: len(site.events()) == 2)
    assert [e["type"] for e in site.events()] == ["page_view", "widget_open"]
    assert {e["user_id"] for e in site.events()} == {"customer-7"}
    assert page.evaluate("chatlytics.ids()")["user_id"] == "customer-7"
    assert sorted(page.evaluate(STORED)[0]) == [
        "chatlytics.outbox",
        "chatlytics.session",
        "chatlytics.uid",
    ]


def test_refused_consent_drops_the_held_events(page: Page, site: Site) -> None:
    sent = collector_requests(page, site)
    page.goto(site.url(consent="required"))
    page.evaluate("chatlytics.track('before.refusal'); chatlytics.consent(false)")
    page.evaluate("chatlytics.track('after.refusal'); chatlytics.consent(false)")
    page.goto(site.pages + "/plain")  # no beacon either
    page.wait_for_timeout(300)
    assert sent == []
    assert site.events() == []


def test_withdrawn_consent_forgets_the_stored_ids(page: Page, site: Site) -> None:
    page.goto(site.url(consent="required"))
    page.evaluate("chatlytics.consent(true)")
    assert wait(page.wait_for_timeout, site.events)
    page.evaluate("chatlytics.consent(false)")
    assert page.evaluate(STORED) == [[], ""]
    assert page.evaluate("chatlytics.ids()") == NO_IDS


@pytest.mark.parametrize(
    "signal",
    [
        "Object.defineProperty(Navigator.prototype, 'doNotTrack', {get: () => '1'})",
        "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})",
    ],
    ids=["do-not-track", "global-privacy-control"],
)
def test_do_not_track_is_honoured_when_asked(page: Page, site: Site, signal: str) -> None:
    page.add_init_script(signal)
    sent = collector_requests(page, site)
    page.goto(site.url(**{"respect-dnt": "true"}))
    page.evaluate("chatlytics.consent(true); chatlytics.track('ignored'); chatlytics.flush()")
    page.goto(site.pages + "/plain")
    page.wait_for_timeout(300)
    assert sent == []
    assert page.evaluate(STORED) == [[], ""]
    assert site.events() == []

    page.goto(site.url())  # without data-respect-dnt the signal is not consulted
    assert wait(page.wait_for_timeout, site.events)


def test_before_send_can_change_or_drop_events(page: Page, site: Site) -> None:
    page.goto(site.url(auto="false"))
    page.evaluate(
        """chatlytics.beforeSend((event) => {
            if (event.type == 'secret') return null
            if (event.properties.email) event.properties.email = '[redacted]'
            return event
        })
        chatlytics.track('secret')
        chatlytics.lead({lead_type: 'demo', email: 'ann@example.com'})"""
    )
    assert wait(page.wait_for_timeout, site.events)
    page.wait_for_timeout(300)
    [lead] = site.events()
    assert lead["type"] == "lead_submitted"
    assert lead["properties"] == {"lead_type": "demo", "email": "[redacted]"}
