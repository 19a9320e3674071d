"""In Chromium: the page shows the API's figures, follows new events live, and drills down safely."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

from tests.dashboard.site import Dashboard, post
from tests.helpers import event
from tests.scenario import build

if TYPE_CHECKING:
    from playwright.sync_api import Route

# Every figure on the cards, by (endpoint, field): the page must show each, and only these.
CARD_FIGURES = {
    ("/analytics/", "active_sessions"),
    ("/analytics/", "total_users"),
    ("/analytics/", "new_users"),
    ("/analytics/", "returning_users"),
    ("/analytics/", "total_sessions"),
    ("/analytics/", "avg_session_duration"),
    ("/analytics/", "total_conversations"),
    ("/analytics/conversations", "completion_rate"),
    ("/analytics/", "total_messages"),
    ("/analytics/", "total_questions"),
    ("/analytics/messages", "response_time_ms.p50"),
    ("/analytics/messages", "response_time_ms.p90"),
    ("/analytics/messages", "fallback_rate"),
    ("/analytics/", "error_rate"),
    ("/analytics/", "total_chatbot_opens"),
    ("/analytics/", "total_leads"),
    ("/analytics/", "total_handovers"),
}
PAYLOAD = "<img src=x onerror=alert(1)>"


def pick(answer: Any, field: str) -> Any:
    for key in field.split("."):
        answer = answer[key]
    return answer


def assert_same(shown: Any, expected: Any, what: object) -> None:
    if expected is None:
        assert shown is None, what
    else:
        assert shown == pytest.approx(expected, rel=1e-12), what


def load_scenario(url: str) -> None:
    for batch in build().batches(250):
        post(url, batch)


def test_the_cards_show_the_api_figures(dashboard: Dashboard) -> None:
    load_scenario(dashboard.url)
    dashboard.open("range=7d&interval=day")
    dashboard.sign_in()
    shown = dashboard.figures()
    assert set(shown) == CARD_FIGURES

    # Ask the API for the very window the page asked for ("to" left out: until the API's now).
    view = dashboard.page.locator("#view")
    window = {"from": view.get_attribute("data-from") or ""}
    if to := view.get_attribute("data-to"):
        window["to"] = to
    answers = {
        endpoint: dashboard.api(
            endpoint, **window, **({"interval": "day"} if endpoint == "/analytics/" else {})
        )
        for endpoint in {endpoint for endpoint, _ in CARD_FIGURES}
    }
    for (endpoint, name), value in shown.items():
        assert_same(value, pick(answers[endpoint], name), (endpoint, name))
    assert shown[("/analytics/", "total_sessions")] > 0, "the scenario should lie in the range"

    # The tables list the API's rows, in its order.
    links = dashboard.page.locator('#table-conversations tbody a[href*="conversation="]')
    assert links.all_inner_texts() == [
        c["conversation_id"] for c in answers["/analytics/conversations"]["recent_conversations"]
    ]


def test_a_new_event_changes_the_figures_without_reload(dashboard: Dashboard) -> None:
    page = dashboard.page
    dashboard.open("range=today&interval=hour")
    dashboard.sign_in()
    page.wait_for_selector("#live[data-state='live']")
    page.evaluate("window.notReloaded = true")
    before = dashboard.figures()
    assert before[("/analytics/", "total_messages")] == 0

    now = datetime.now(UTC) - timedelta(seconds=1)
    who = {"user": "live-u", "session": "live-s"}
    started = time.monotonic()
    post(
        dashboard.url,
        [
            event("session_start", at=now, **who),
            event("user_message", at=now, conversation="live-c", content="Winter tyres?", **who),
        ],
    )
    page.wait_for_function(
        """() => document.querySelector(
            '[data-endpoint="/analytics/"][data-figure="total_messages"]').dataset.value === '1'""",
        timeout=2000,
    )
    assert time.monotonic() - started < 2.0
    assert page.evaluate("window.notReloaded") is True
    after = dashboard.figures()
    assert after[("/analytics/", "active_sessions")] == 1
    assert after[("/analytics/", "total_questions")] == 1


def test_visitor_text_is_shown_as_text(dashboard: Dashboard) -> None:
    page = dashboard.page
    who = {"user": "u-<b>x</b>", "session": "s-x"}
    at = datetime.now(UTC) - timedelta(minutes=5)
    post(
        dashboard.url,
        [
            event("session_start", at=at, **who),
            event("conversation_start", at=at, conversation="c-x", **who),
            event("user_message", at=at, conversation="c-x", content=PAYLOAD, **who),
            event(
                "bot_response",
                at=at + timedelta(seconds=1),
                conversation="c-x",
                content="<script>alert(2)</script>",
                latency_ms=420,
                fallback=True,
                **who,
            ),
            event(
                "lead_submitted",
                at=at + timedelta(seconds=2),
                conversation="c-x",
                lead_type="quote",
                name="<svg onload=alert(3)>",
                **who,
            ),
        ],
    )
    dashboard.open()
    dashboard.sign_in()
    assert (
        page.locator("#table-leads").get_by_text("<svg onload=alert(3)>", exact=True).is_visible()
    )
    page.locator("#table-conversations").get_by_role("link", name="c-x").click()
    page.wait_for_selector("#view[data-view='conversation']")
    transcript = page.locator(".transcript")
    assert transcript.get_by_text(PAYLOAD, exact=True).is_visible()
    assert transcript.get_by_text("<script>alert(2)</script>", exact=True).is_visible()
    assert page.locator("#view img, #view script, #view svg").count() == 0
    bot = page.locator(".msg-bot")
    assert bot.locator(".status-fallback").is_visible()
    assert bot.locator(".latency").inner_text() == "420 ms"
    page.wait_for_timeout(300)  # an onerror or onload would have run by now
    assert dashboard.dialogs == []


def test_drill_down_from_the_tables_to_the_user(dashboard: Dashboard) -> None:
    load_scenario(dashboard.url)
    page = dashboard.page
    dashboard.open()
    dashboard.sign_in()
    link = page.locator('#table-conversations tbody a[href*="conversation="]').first
    conversation = link.inner_text()
    link.focus()
    page.keyboard.press("Enter")  # reachable with the keyboard
    page.wait_for_selector("#view[data-view='conversation']")
    assert "conversation=" in page.url

    expected = dashboard.api("/analytics/conversation/" + quote(conversation, safe=""))
    order = page.locator(".transcript li").evaluate_all("els => els.map(e => e.dataset.eventId)")
    assert order == [m["event_id"] for m in expected["messages"]]
    fallbacks = sum(m["fallback"] for m in expected["messages"])
    assert page.locator(".transcript .status-fallback").count() == fallbacks
    facts = dashboard.figures(".facts")
    endpoint = f"/analytics/conversation/{conversation}"
    assert facts[(endpoint, "message_count")] == expected["message_count"]
    assert facts[(endpoint, "status")] == expected["status"]

    page.locator(".facts").get_by_role("link", name=expected["user_id"]).click()
    page.wait_for_selector("#view[data-view='user']")
    user = dashboard.api("/analytics/user/" + quote(expected["user_id"], safe=""))
    for (_, name), value in dashboard.figures(".facts").items():
        assert value == user[name], name
    sessions = page.locator("#user-sessions tbody tr")
    assert sessions.count() == len(user["session_history"])

    page.go_back()
    page.wait_for_selector("#view[data-view='conversation']")
    page.go_back()
    page.wait_for_selector("#view[data-view='overview']")


def test_the_stream_reconnects_by_itself(dashboard: Dashboard) -> None:
    """Dropped after connecting, then refused once: the page retries, waiting longer each time."""
    page = dashboard.page
    dashboard.allow("net::ERR_FAILED")
    attempts: list[float] = []

    def handle(route: Route) -> None:
        attempts.append(time.monotonic())
        if len(attempts) == 1:  # connects, then the connection ends
            route.fulfill(
                status=200,
                headers={"Content-Type": "text/event-stream"},
                body='event: hello\ndata: {"commits": 0}\n\n',
            )
        elif len(attempts) == 2:  # the collector is unreachable
            route.abort()
        else:
            route.continue_()

    page.route("**/dashboard/stream", handle)
    dashboard.open("range=today&interval=hour")
    dashboard.sign_in()
    page.wait_for_selector("#live[data-state='reconnecting']")
    page.wait_for_function("() => document.getElementById('live').dataset.state === 'live'")
    page.wait_for_timeout(200)
    assert len(attempts) == 3
    first_wait, second_wait = attempts[1] - attempts[0], attempts[2] - attempts[1]
    assert 0.7 < first_wait < second_wait < 3.0

    # The stream it reconnected to is the real one: a new event shows within 2 s.
    post(dashboard.url, [event("widget_open", at=datetime.now(UTC) - timedelta(seconds=1))])
    page.wait_for_function(
        """() => document.querySelector(
            '[data-endpoint="/analytics/"][data-figure="total_chatbot_opens"]').dataset.value === '1'""",
        timeout=2000,
    )
