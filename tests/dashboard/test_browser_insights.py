"""In Chromium: the growth and operations tabs show the figures folded from a known scenario."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.dashboard.insights import ROI_SETTINGS, TRACTORS, Expected
from tests.dashboard.site import Dashboard, post
from tests.helpers import event

FUNNEL = "/analytics/funnel"
RETENTION = "/analytics/retention"
SATISFACTION = "/analytics/satisfaction"
ROI = "/analytics/roi"
CAPACITY = "/analytics/capacity"
PERFORMANCE = "/analytics/performance"
# The scenario's ROI settings: a cost per conversation, a lead value.
COLLECTOR_SETTINGS = ROI_SETTINGS


def test_the_growth_tab_shows_the_scenarios_figures(
    dashboard: Dashboard, expected: Expected
) -> None:
    page = dashboard.page
    dashboard.open_tab(expected.scenario.query, "growth")

    funnel = dashboard.figures("#panel-funnel")
    steps = expected.funnel()
    assert [c for c, _ in steps] == [11, 9, 8, 4, 2]  # the scenario is what it says
    for n, (count, median) in enumerate(steps):
        assert funnel[(FUNNEL, f"steps.{n}.count")] == count
        if n:
            rate = funnel[(FUNNEL, f"steps.{n}.conversion_rate")]
            assert rate == pytest.approx(count / steps[n - 1][0])
            assert funnel[(FUNNEL, f"steps.{n}.median_seconds_from_previous")] == median
    assert dashboard.shown_text(FUNNEL, "steps.0.count") == "11"
    assert dashboard.shown_text(FUNNEL, "steps.3.conversion_rate") == "50%"  # 4 of 8
    assert steps[4][1] == 480  # lead to conversion: 6 and 10 minutes
    assert dashboard.shown_text(FUNNEL, "steps.4.median_seconds_from_previous") == "8m"

    cohorts = dashboard.figures("#panel-retention")
    for row, (size, shares) in enumerate(expected.cohorts()):
        assert cohorts[(RETENTION, f"cohorts.{row}.size")] == size
        for i, share in enumerate(shares):
            assert cohorts[(RETENTION, f"cohorts.{row}.rates.{i}")] == pytest.approx(share)
    assert dashboard.shown_text(RETENTION, "cohorts.0.rates.1") == "40%"  # 2 of 5 back in week 1
    cell = page.locator('td:has([data-figure="cohorts.0.rates.1"])')
    assert "heat-" in (cell.get_attribute("class") or "")

    name, interest, leads = expected.products()[0]
    first = page.locator("#table-products tbody tr").first.locator("td").all_inner_texts()
    assert (first[0], first[3], first[5]) == (name, str(interest), str(leads))

    flagged = page.locator("#table-opportunities tbody tr")
    assert flagged.locator("a").all_inner_texts() == expected.flagged() == ["u-f"]
    why = flagged.first.locator(".badge").all_inner_texts()
    assert why == ["much product interest", "same product again"]
    assert page.locator("#panel-retention .partial").count() == 0  # three whole weeks

    # From a Wednesday: the first week's cohort is only partly in the range, and says so.
    start = (expected.scenario.monday + timedelta(days=2)).date().isoformat()
    end = (expected.scenario.monday + timedelta(days=20)).date().isoformat()
    dashboard.open(f"range=custom&start={start}&end={end}&interval=week&tab=growth")  # signed in
    page.wait_for_selector("#panel-retention tbody th")
    marked = page.locator("#panel-retention tbody th").all_inner_texts()
    assert [text.endswith("(part)") for text in marked] == [True, False, False]


def test_the_operations_tab_shows_the_scenarios_figures(
    dashboard: Dashboard, expected: Expected
) -> None:
    page = dashboard.page
    dashboard.open_tab(expected.scenario.query, "operations")
    shown = dashboard.figures("#view")

    assert shown[(SATISFACTION, "csat")] == pytest.approx(expected.csat()) == 0.6
    assert dashboard.shown_text(SATISFACTION, "csat") == "60%"
    assert shown[(SATISFACTION, "by_outcome.0.csat")] == expected.csat("completed")
    assert shown[(SATISFACTION, "by_outcome.1.csat")] == expected.csat("handover")

    roi = expected.roi()
    for field, value in roi.items():
        assert shown[(ROI, field)] == pytest.approx(value), field
    assert dashboard.shown_text(ROI, "cost") == "€20.00"
    assert dashboard.shown_text(ROI, "cost_per_lead") == "€5.00"
    assert dashboard.shown_text(ROI, "roi") == "1450%"
    assert page.locator("#panel-roi .roi-notice").count() == 0  # cost and lead value are set

    peak, at = expected.peak()
    assert shown[(CAPACITY, "peak_concurrent_sessions")] == peak == 3
    assert datetime.fromisoformat(shown[(CAPACITY, "peak_at")]) == at
    assert shown[(CAPACITY, "heatmap.sessions.0.9")] == expected.monday_nine() == 3
    assert shown[(CAPACITY, "growth.slope_per_week")] == pytest.approx(expected.weekly_slope())
    assert page.locator("#chart-capacity-trend canvas").is_visible()

    errors = expected.errors()
    kinds = page.locator("#panel-errors tbody tr th").all_inner_texts()
    assert kinds == [kind for kind, _ in errors.most_common()]
    assert shown[(PERFORMANCE, "errors.by_kind.0.count")] == errors["timeout"]
    assert shown[(PERFORMANCE, "errors.total_errors")] == sum(errors.values())
    assert page.locator("#chart-response-times canvas").is_visible()
    left = expected.abandonment()
    assert left["1-3s"] == (1, 2)
    label = page.locator("#chart-abandonment canvas").get_attribute("aria-label") or ""
    assert "1 to 3 s: 1 of 2 replies" in label
    assert f"under 1 s: {left['<1s'][0]} of {left['<1s'][1]} replies" in label

    reasons = ", ".join(f"{issue} {n}" for issue, n in expected.handover_reasons().most_common())
    label = page.locator("#chart-handover-reasons canvas").get_attribute("aria-label") or ""
    assert label.endswith(reasons)
    question = page.locator("#table-fallback-questions tbody tr").first.locator("td")
    assert question.all_inner_texts() == [TRACTORS, str(expected.fallback_questions())]


def test_tabs_are_links_that_keep_the_range(dashboard: Dashboard, expected: Expected) -> None:
    page = dashboard.page
    dashboard.open_tab(expected.scenario.query, "overview")
    name, interest, _ = expected.products()[0]
    products = page.locator("#chart-products canvas").get_attribute("aria-label") or ""
    assert f"{name} {interest}" in products  # the most-asked products, no longer a placeholder

    loads = dashboard.loads()
    page.get_by_role("link", name="Growth", exact=True).click()
    dashboard.wait_for_load(loads)
    assert page.get_attribute("#view", "data-view") == "growth"
    assert "tab=growth" in page.url
    assert expected.scenario.query in page.url
    growth = page.get_by_role("link", name="Growth", exact=True)
    assert growth.get_attribute("aria-current") == "page"

    page.reload()  # the tab is in the address, the key in the tab's storage
    page.wait_for_selector("#view[data-view='growth']")
    page.go_back()
    page.wait_for_selector("#view[data-view='overview']")
    page.go_forward()
    page.wait_for_selector("#view[data-view='growth']")

    page.locator("#table-opportunities").get_by_role("link", name="u-f").click()
    page.wait_for_selector("#view[data-view='user']")
    page.get_by_role("link", name="← Growth").click()
    page.wait_for_selector("#view[data-view='growth']")
    assert expected.scenario.query in page.url


def test_the_operations_tab_follows_new_events(dashboard: Dashboard) -> None:
    page = dashboard.page
    dashboard.open_tab("range=today&interval=hour", "operations")
    page.wait_for_selector("#live[data-state='live']")
    page.evaluate("window.notReloaded = true")
    assert page.locator("#panel-satisfaction").get_by_text("No feedback in this range").is_visible()

    at = datetime.now(UTC) - timedelta(seconds=2)
    post(dashboard.url, [event("feedback", at=at, rating=5), event("feedback", at=at, rating=2)])
    page.wait_for_function(
        """() => document.querySelector('[data-endpoint="/analytics/satisfaction"]'
                 + '[data-figure="csat"]')?.dataset.value === '0.5'""",
        timeout=2000,
    )
    assert page.evaluate("window.notReloaded") is True


def test_the_tabs_fit_a_phone(dashboard: Dashboard, expected: Expected) -> None:
    page = dashboard.page
    page.set_viewport_size({"width": 375, "height": 800})
    for tab in ("growth", "operations"):
        if tab == "growth":
            dashboard.open_tab(expected.scenario.query, tab)
        else:
            loads = dashboard.loads()
            page.get_by_role("link", name="Operations", exact=True).click()
            dashboard.wait_for_load(loads)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, tab


def test_on_a_phone_the_heatmap_scrolls_inside_its_panel(
    dashboard: Dashboard, expected: Expected
) -> None:
    page = dashboard.page
    page.set_viewport_size({"width": 390, "height": 844})
    dashboard.open_tab(expected.scenario.query, "operations")
    # The hour-of-week table keeps readable cells and scrolls inside its panel, not the page.
    scroll = page.locator("#panel-heatmap .table-scroll")
    scroll_width, width = scroll.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert scroll_width > width
    rem = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    cell = page.locator("#panel-heatmap table.heatmap tbody td").first
    assert cell.evaluate("el => el.getBoundingClientRect().width") >= 1.6 * rem - 0.5
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
