"""In Chromium: the panels' own controls (funnel steps, ranking, business hours, ROI amounts) change
the figures as the scenario implies, ask again only their panel's endpoint, and keep to the URL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from tests.dashboard.insights import COST_PER_CONVERSATION, ROI_SETTINGS, Expected
from tests.dashboard.site import Dashboard, post
from tests.helpers import READ, event

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Request

FUNNEL = "/analytics/funnel"
PERFORMANCE = "/analytics/performance"
PAIN = "/analytics/pain_points"
ROI = "/analytics/roi"
COLLECTOR_SETTINGS = ROI_SETTINGS
WEEKDAYS = {1, 2, 3, 4, 5}
# Chromium logs every refused request; the API's 422 for a bad option is expected there.
REFUSED = "status of 422"


class Asked:
    """The analytics endpoints the page asks, from the moment it is made or cleared."""

    def __init__(self, dashboard: Dashboard) -> None:
        self.paths: list[str] = []
        dashboard.page.on("request", self._request)

    def _request(self, request: Request) -> None:
        path = urlparse(request.url).path
        if path.startswith("/analytics/"):
            self.paths.append(path)

    def clear(self) -> None:
        self.paths.clear()


def changed(dashboard: Dashboard, action: Callable[[], object]) -> None:
    """Do `action` (set a control) and wait for the page to show the answer."""
    loads = dashboard.loads()
    action()
    dashboard.wait_for_load(loads)


def enter(dashboard: Dashboard, box: Locator, text: str) -> None:
    """Type `text` into a text field and press Enter; wait for the page to show the answer."""
    box.fill(text)
    changed(dashboard, lambda: box.press("Enter"))


def funnel_counts(dashboard: Dashboard) -> list[int]:
    shown = dashboard.figures("#panel-funnel")
    counts = [(int(f.split(".")[1]), v) for (_, f), v in shown.items() if f.endswith(".count")]
    return [v for _, v in sorted(counts)]


def opened(dashboard: Dashboard, expected: Expected, tab: str, panel: str) -> Locator:
    """The panel `panel` of `tab`, open over the scenario's range, signed in."""
    dashboard.open_tab(expected.scenario.query, tab)
    return dashboard.page.locator(panel)


def options_in_url(dashboard: Dashboard) -> dict[str, list[str]]:
    return parse_qs(urlparse(dashboard.page.url).query)


def test_a_custom_funnel_counts_the_scenarios_steps(
    dashboard: Dashboard, expected: Expected
) -> None:
    page = dashboard.page
    panel = opened(dashboard, expected, "growth", "#panel-funnel")
    asked = Asked(dashboard)
    steps = ("widget_open", "page_view")  # did the visitor come back to a page after the chat?

    enter(dashboard, panel.get_by_label("Steps"), ", ".join(steps))
    assert funnel_counts(dashboard) == [c for c, _ in expected.funnel(steps)] == [9, 3]
    assert asked.paths == [FUNNEL]  # the funnel alone was asked again
    assert options_in_url(dashboard)["steps"] == ["widget_open, page_view"]

    asked.clear()
    changed(dashboard, lambda: panel.get_by_label("Within").select_option(label="1 day"))
    assert funnel_counts(dashboard) == [c for c, _ in expected.funnel(steps, window=86400)]
    assert funnel_counts(dashboard) == [9, 0]  # they came back days later
    assert asked.paths == [FUNNEL]

    changed(dashboard, lambda: panel.get_by_label("Within").select_option(label="No limit"))
    panel.get_by_label("Steps").fill("page_view, widget_open")  # sent with the next change
    changed(dashboard, lambda: panel.get_by_label("Count").select_option(label="Sessions"))
    by_session = expected.funnel(("page_view", "widget_open"), by="session")
    assert funnel_counts(dashboard) == [c for c, _ in by_session] == [14, 9]
    assert panel.get_by_text("sessions reaching each step").is_visible()

    page.reload()  # the options are in the address
    page.wait_for_selector("#view[data-view='growth']")
    assert funnel_counts(dashboard) == [14, 9]
    assert panel.get_by_label("Count").input_value() == "session"
    assert panel.get_by_label("Steps").input_value() == "page_view, widget_open"

    changed(dashboard, lambda: panel.get_by_role("button", name="Reset").click())
    assert funnel_counts(dashboard) == [c for c, _ in expected.funnel()]
    assert "steps" not in options_in_url(dashboard)
    assert panel.get_by_label("Steps").input_value() == ""


def test_a_bad_funnel_step_shows_the_apis_reason(dashboard: Dashboard, expected: Expected) -> None:
    dashboard.allow(REFUSED)
    page = dashboard.page
    panel = opened(dashboard, expected, "growth", "#panel-funnel")
    bad = "page_view, Widget_Open"
    answer = httpx.get(f"{dashboard.url}{FUNNEL}", params={"steps": bad}, headers=READ)
    assert answer.status_code == 422
    reason = answer.json()["detail"][0]["msg"]
    assert "'Widget_Open' is not an event type" in reason

    enter(dashboard, panel.get_by_label("Steps"), bad)
    error = panel.get_by_role("alert")
    assert reason in error.inner_text()
    assert error.is_visible()
    # The page goes on: the funnel panel shows the default funnel, the other panels their figures.
    assert funnel_counts(dashboard) == [c for c, _ in expected.funnel()]
    assert page.locator("#notice").is_hidden()
    assert page.locator("#table-opportunities tbody tr").count() == len(expected.flagged())
    assert panel.get_by_label("Steps").input_value() == bad  # kept, to be corrected

    enter(dashboard, panel.get_by_label("Steps"), "page_view, widget_open")
    assert error.is_hidden()
    assert funnel_counts(dashboard) == [c for c, _ in expected.funnel(("page_view", "widget_open"))]


def test_the_slowest_conversations_rank_by_mean_or_slowest_reply(
    dashboard: Dashboard, expected: Expected
) -> None:
    table = opened(dashboard, expected, "operations", "#table-slowest")
    by_mean, by_slowest = expected.slowest("avg"), expected.slowest("max")
    assert by_mean[:2] == ["u-e-s2-c", "u-a-s0-c"]
    assert by_slowest[:2] == ["u-a-s0-c", "u-e-s2-c"]
    assert table.locator("tbody tr td:first-child").all_inner_texts() == by_mean

    asked = Asked(dashboard)
    changed(dashboard, lambda: table.get_by_label("Rank by").select_option("max"))
    assert table.locator("tbody tr td:first-child").all_inner_texts() == by_slowest
    assert table.get_by_text("By the slowest of their bot replies").is_visible()
    assert asked.paths == [PERFORMANCE]
    assert options_in_url(dashboard)["slowest_by"] == ["max"]


def test_the_chat_servers_health_samples(dashboard: Dashboard, expected: Expected) -> None:
    table = opened(dashboard, expected, "operations", "#table-system")
    shown = dashboard.figures("#table-system")
    days = expected.system()
    assert table.locator("tbody tr").count() == len(days) == 2
    for day, row in days.items():
        for key, value in row.items():
            figure = shown[(PERFORMANCE, f"system.{day}.{key}")]
            assert figure == (None if value is None else pytest.approx(value)), (day, key)
    assert days[0]["cpu_percent"] == 50.5
    assert days[9]["memory_mb"] is None
    assert dashboard.shown_text(PERFORMANCE, "system.0.cpu_percent") == "50.5%"
    assert dashboard.shown_text(PERFORMANCE, "system.9.memory_mb") == "—"
    assert dashboard.shown_text(PERFORMANCE, "system.0.response_time_ms") == "900 ms"


def outside_hours(dashboard: Dashboard) -> int:
    found = dashboard.figures("#panel-handover-quality")[
        (PAIN, "handover_quality.outside_business_hours")
    ]
    assert isinstance(found, int)
    return found


def test_business_hours_move_handovers_inside_and_outside(
    dashboard: Dashboard, expected: Expected
) -> None:
    dashboard.allow(REFUSED)
    page = dashboard.page
    panel = opened(dashboard, expected, "operations", "#panel-handover-quality")
    # Both requests came on weekday mornings just after 09:00 UTC (a Monday and a Tuesday).
    assert outside_hours(dashboard) == expected.outside_hours(9, 17, WEEKDAYS, "UTC") == 0

    asked = Asked(dashboard)
    changed(dashboard, lambda: panel.get_by_label("Opens").select_option(label="10:00"))
    assert outside_hours(dashboard) == expected.outside_hours(10, 17, WEEKDAYS, "UTC") == 2
    assert asked.paths == [PAIN]
    changed(dashboard, lambda: panel.get_by_label("Opens").select_option(label="09:00"))
    changed(dashboard, lambda: panel.get_by_label("Mon", exact=True).uncheck())
    assert outside_hours(dashboard) == expected.outside_hours(9, 17, WEEKDAYS - {1}, "UTC") == 1
    assert panel.get_by_text("outside Tue\u2013Fri 09:00\u201317:00 (UTC)").is_visible()

    enter(dashboard, panel.get_by_label("Time zone"), "America/Chicago")
    chicago = expected.outside_hours(9, 17, WEEKDAYS - {1}, "America/Chicago")
    assert outside_hours(dashboard) == chicago == 2  # 03:00 or 04:00 there
    assert options_in_url(dashboard)["business_days"] == ["2-5"]

    changed(dashboard, lambda: panel.get_by_label("Closes").select_option(label="08:00"))
    assert (
        "business_end (8) must be after business_start (9)"
        in panel.get_by_role("alert").inner_text()
    )
    assert page.locator("#notice").is_hidden()


def test_roi_amounts_change_the_cost_per_lead(dashboard: Dashboard, expected: Expected) -> None:
    panel = opened(dashboard, expected, "operations", "#panel-roi")
    roi = dashboard.figures("#panel-roi")
    # The configured amounts are the starting point.
    assert panel.get_by_label("Lead value").get_attribute("placeholder") == "40"
    assert panel.get_by_label("Currency").get_attribute("placeholder") == "EUR"
    assert panel.get_by_label("Cost is").input_value() == "cost_per_conversation"
    assert panel.get_by_label("Cost", exact=True).get_attribute("placeholder") == str(
        COST_PER_CONVERSATION
    )
    assert panel.get_by_label("Conversion value").get_attribute("placeholder") == "own values"
    assert roi[(ROI, "cost_per_lead")] == pytest.approx(expected.roi()["cost_per_lead"])

    asked = Asked(dashboard)
    enter(dashboard, panel.get_by_label("Cost", exact=True), "4")
    assert asked.paths == [ROI]

    def shows(figures: dict[str, float]) -> None:
        roi = dashboard.figures("#panel-roi")
        for name, value in figures.items():
            assert roi[(ROI, name)] == pytest.approx(value), name

    shows(expected.roi(cost_per_conversation=4))
    assert dashboard.shown_text(ROI, "cost_per_lead") == "€8.00"  # 8 conversations, 4 leads

    enter(dashboard, panel.get_by_label("Lead value"), "50")
    shows(expected.roi(cost_per_conversation=4, lead_value=50))
    enter(dashboard, panel.get_by_label("Currency"), "usd")
    shows(expected.roi(cost_per_conversation=4, lead_value=50, currency="USD"))

    changed(dashboard, lambda: panel.get_by_label("Cost is").select_option(label="per month"))
    shows(expected.roi(cost_per_month=4, lead_value=50, currency="USD"))
    query = options_in_url(dashboard)
    assert query["cost_per_month"] == ["4"]
    assert "cost_per_conversation" not in query
    assert query["currency"] == ["USD"]
    assert panel.get_by_text("Cost from the amount set below").is_visible()


def test_options_hold_through_live_updates(dashboard: Dashboard) -> None:
    page = dashboard.page
    dashboard.open_tab("range=today&interval=hour", "growth")
    page.wait_for_selector("#live[data-state='live']")
    page.evaluate("window.notReloaded = true")
    panel = page.locator("#panel-funnel")
    enter(dashboard, panel.get_by_label("Steps"), "widget_open, lead_submitted")
    assert panel.get_by_text("No widget_open events in this range yet.").is_visible()

    at = datetime.now(UTC) - timedelta(seconds=2)
    post(
        dashboard.url,
        [
            event("widget_open", at=at, user="u-live", session="s-live"),
            event("lead_submitted", at=at, user="u-live", session="s-live", lead_type="quote"),
        ],
    )
    page.wait_for_function(
        """() => document.querySelector('#panel-funnel [data-figure="steps.1.count"]')
                 ?.dataset.value === '1'""",
        timeout=2000,
    )
    assert funnel_counts(dashboard) == [1, 1]
    assert panel.locator("code").all_inner_texts() == ["widget_open", "lead_submitted"]
    assert page.evaluate("window.notReloaded") is True


def test_the_cost_unit_chosen_before_the_amount_is_kept(
    dashboard: Dashboard, expected: Expected
) -> None:
    panel = opened(dashboard, expected, "operations", "#panel-roi")
    unit = panel.get_by_label("Cost is")
    assert unit.input_value() == "cost_per_conversation"  # as configured
    unit.select_option(label="per month")
    dashboard.page.wait_for_timeout(300)
    assert unit.input_value() == "cost_per_month"
    enter(dashboard, panel.get_by_label("Cost", exact=True), "4")
    assert unit.input_value() == "cost_per_month"
    query = options_in_url(dashboard)
    assert query["cost_per_month"] == ["4"]
    assert "cost_per_conversation" not in query
    changed(dashboard, lambda: panel.get_by_role("button", name="Reset").click())
    assert unit.input_value() == "cost_per_conversation"


def test_a_fixed_conversion_value_counts_conversions_in_any_currency(
    dashboard: Dashboard, expected: Expected
) -> None:
    panel = opened(dashboard, expected, "operations", "#panel-roi")
    enter(dashboard, panel.get_by_label("Currency"), "usd")  # the scenario's conversions are in EUR
    assert panel.get_by_text("conversions in another currency are left out").is_visible()
    enter(dashboard, panel.get_by_label("Conversion value"), "10")
    assert panel.get_by_text("in another currency").count() == 0


def test_the_last_open_day_cannot_be_unticked(dashboard: Dashboard, expected: Expected) -> None:
    panel = opened(dashboard, expected, "operations", "#panel-handover-quality")
    for day in ("Mon", "Tue", "Wed", "Thu"):
        changed(dashboard, panel.get_by_label(day, exact=True).uncheck)
    friday = panel.get_by_label("Fri", exact=True)
    friday.click()
    dashboard.page.wait_for_timeout(300)
    assert friday.is_checked()
    assert options_in_url(dashboard)["business_days"] == ["5"]
    assert outside_hours(dashboard) == expected.outside_hours(9, 17, {5}, "UTC")


def test_an_amount_under_a_cent_is_not_shown_as_zero(
    dashboard: Dashboard, expected: Expected
) -> None:
    panel = opened(dashboard, expected, "operations", "#panel-roi")
    enter(dashboard, panel.get_by_label("Cost", exact=True), "0.001")
    assert expected.roi(cost_per_conversation=0.001)["cost_per_lead"] == pytest.approx(0.002)
    assert dashboard.shown_text(ROI, "cost_per_lead") == "€0.002"  # 8 conversations, 4 leads


def test_a_funnel_window_from_a_link_is_offered_only_while_it_is_used(
    dashboard: Dashboard, expected: Expected
) -> None:
    dashboard.open_tab(f"{expected.scenario.query}&window=120", "growth")
    panel = dashboard.page.locator("#panel-funnel")
    within = panel.get_by_label("Within")
    assert within.input_value() == "120"
    assert within.locator("option:checked").inner_text() == "2m"
    changed(dashboard, lambda: panel.get_by_role("button", name="Reset").click())
    assert within.input_value() == ""
    assert within.locator("option[value='120']").count() == 0
