"""The issue's acceptance test, in Chromium: one visit to the demo shop, seen whole by chatlytics.

A visitor opens the chat, asks a question, gets the answer, rates it, clicks a product, leaves a lead,
asks for a person and closes the chat. The widget's events (tracker) and the chat server's (SDK) must
join into exactly one session, with one conversation and the right counts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import ConsoleMessage, Page, expect

from tests.demo.stack import Scenario, Stack

InBrowser = Callable[[Scenario], None]

QUESTION = "Do you have 205/55 R16 winter tyres?"


def watch_errors(page: Page, errors: list[str]) -> None:
    """Collect the page's console errors (CSP violations are logged there) and uncaught exceptions."""

    def keep(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", keep)
    page.on("pageerror", lambda error: errors.append(str(error)))


def test_one_visit_is_one_session_on_both_channels(in_browser: InBrowser, stack: Stack) -> None:
    ids: dict[str, Any] = {}
    errors: list[str] = []

    def visit(page: Page) -> None:
        watch_errors(page, errors)
        page.goto(stack.demo + "/")
        page.wait_for_function("() => window.chatlytics && window.chatlytics.track")
        ids.update(page.evaluate("chatlytics.ids()"))

        page.click("#chat-launcher")
        page.fill("#chat-input", QUESTION)
        page.press("#chat-input", "Enter")
        reply = page.locator("#chat-log .msg.bot:not(.greeting)")
        expect(reply).to_have_count(1)
        expect(reply.locator(".text")).to_contain_text("We have 4 winter tyres in 205/55 R16:")
        expect(reply.locator(".card")).to_have_count(4)
        reply.locator(".thumbs .up").click()
        reply.locator(".card .interest").first.click()

        page.click("#lead-open")
        page.fill("#lead-form input[name=name]", "Ada Lovelace")
        page.fill("#lead-form input[name=email]", "ada@example.com")
        page.click("#lead-form button[type=submit]")
        expect(page.locator("#chat-status")).to_contain_text("Thank you")

        page.click("#handover-open")
        page.check("#handover-form input[value=Pricing]")
        page.check("#handover-form input[value=Other]")
        page.fill("#handover-form input[name=other_text]", "Fitting this Saturday?")
        page.check("#handover-form input[value=email]")
        page.click("#handover-form button[type=submit]")
        expect(page.locator("#chat-status")).to_contain_text("An executive will contact you")

        page.click("#chat-close")
        expect(page.locator("#chat-panel")).to_be_hidden()
        page.evaluate("chatlytics.flush()")
        widget_types = {"widget_open", "widget_close", "lead_submitted", "handover_requested"}
        stack.wait_for(lambda: widget_types <= stack.event_types().keys())
        page.close()  # the socket drops: the chat server ends the session

    in_browser(visit)
    assert errors == []  # no CSP violation, no script error
    stack.settle()
    overview = stack.figures()
    assert {k: overview[k] for k in EXPECTED_OVERVIEW} == EXPECTED_OVERVIEW
    (session,) = stack.figures("sessions")["recent_sessions"]
    assert (session["session_id"], session["user_id"]) == (ids["session_id"], ids["user_id"])
    assert (session["has_widget"], session["has_backend"]) == (True, True)
    assert (session["status"], session["end_source"], session["message_count"]) == (
        "completed",
        "backend",
        2,
    )
    (conversation,) = stack.figures("conversations")["recent_conversations"]
    assert (conversation["status"], conversation["end_status"]) == ("handover", "handover")
    assert (conversation["user_message_count"], conversation["bot_message_count"]) == (1, 1)
    messages = stack.figures("messages")
    assert (messages["user_messages"], messages["bot_messages"]) == (1, 1)
    assert messages["fallback_messages"] == 0
    (lead,) = stack.figures("leads")["recent_leads"]
    assert (lead["lead_type"], lead["name"], lead["email"], lead["phone"]) == (
        "callback",
        "Ada Lovelace",
        "ada@example.com",
        None,
    )
    assert lead["conversation_id"] == conversation["conversation_id"]
    (handover,) = stack.figures("human_handover")["recent_handover"]
    assert (handover["issues"], handover["support_option"], handover["other_text"]) == (
        ["Pricing", "Other"],
        "email",
        "Fitting this Saturday?",
    )
    assert (handover["last_message"], handover["conversation_named"]) == (QUESTION, True)
    assert handover["conversation_id"] == conversation["conversation_id"]
    types = stack.event_types()
    assert {t: types.get(t, 0) for t in EXPECTED_TYPES} == EXPECTED_TYPES


EXPECTED_OVERVIEW = {
    "total_sessions": 1,
    "total_conversations": 1,
    "total_messages": 2,
    "total_questions": 1,
    "total_chatbot_opens": 1,
    "total_chatbot_closes": 1,
    "total_leads": 1,
    "total_handovers": 1,
    "total_errors": 0,
}
EXPECTED_TYPES = {
    "page_view": 1,
    "widget_open": 1,
    "feedback": 1,
    "product_interest": 1,
    "lead_submitted": 1,
    "handover_requested": 1,
    "widget_close": 1,
    "session_start": 1,
    "conversation_start": 1,
    "user_message": 1,
    "bot_response": 1,
    "conversation_end": 1,
    "session_end": 1,
}


def test_visitor_text_is_shown_as_text_never_as_markup(in_browser: InBrowser, stack: Stack) -> None:
    attack = '<img src=x onerror="window.pwned=1"><b>bold</b>'

    def visit(page: Page) -> None:
        page.goto(stack.demo + "/")
        page.click("#chat-launcher")
        page.fill("#chat-input", attack)
        page.press("#chat-input", "Enter")
        expect(page.locator("#chat-log .msg.bot:not(.greeting)")).to_have_count(1)
        assert page.locator("#chat-log .msg.user .text").text_content() == attack
        assert page.locator("#chat-log img, #chat-log b").count() == 0
        assert page.evaluate("window.pwned") is None

    in_browser(visit)


def test_product_tabs_are_navigations_for_the_tracker(in_browser: InBrowser, stack: Stack) -> None:
    def visit(page: Page) -> None:
        page.goto(stack.demo + "/")
        page.click("[data-tab=label]")
        expect(page.locator("[data-panel=label]")).to_be_visible()
        expect(page.locator("[data-panel=overview]")).to_be_hidden()
        assert page.url.endswith("/?tab=label")
        page.evaluate("chatlytics.flush()")
        stack.wait_for(lambda: stack.event_types().get("navigation") == 1)

    in_browser(visit)
    assert stack.event_types()["page_view"] == 2
