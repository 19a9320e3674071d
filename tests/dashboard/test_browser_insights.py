"""In Chromium: the growth tab shows the figures folded from a known scenario."""

from __future__ import annotations

import pytest

from tests.dashboard.insights import Expected, build
from tests.dashboard.site import Dashboard, post

FUNNEL = "/analytics/funnel"
RETENTION = "/analytics/retention"


@pytest.fixture
def expected(dashboard: Dashboard) -> Expected:
    """The scenario, stored; and its figures."""
    scenario = build()
    wire = scenario.wire()
    for i in range(0, len(wire), 250):
        post(dashboard.url, wire[i : i + 250])
    return Expected(scenario)


def open_tab(dashboard: Dashboard, query: str, tab: str) -> None:
    dashboard.open(f"{query}&tab={tab}")
    dashboard.sign_in()
    dashboard.page.wait_for_selector(f"#view[data-view='{tab}']")


def shown_text(dashboard: Dashboard, endpoint: str, field: str) -> str:
    selector = f'[data-endpoint="{endpoint}"][data-figure="{field}"]'
    return dashboard.page.locator(selector).inner_text()


def test_the_growth_tab_shows_the_scenarios_figures(
    dashboard: Dashboard, expected: Expected
) -> None:
    page = dashboard.page
    open_tab(dashboard, expected.scenario.query, "growth")

    funnel = dashboard.figures("#panel-funnel")
    steps = expected.funnel()
    assert [c for c, _ in steps] == [11, 9, 8, 4, 2]  # the scenario is what it says
    for n, (count, median) in enumerate(steps):
        assert funnel[(FUNNEL, f"steps.{n}.count")] == count
        if n:
            rate = funnel[(FUNNEL, f"steps.{n}.conversion_rate")]
            assert rate == pytest.approx(count / steps[n - 1][0])
            assert funnel[(FUNNEL, f"steps.{n}.median_seconds_from_previous")] == median
    assert shown_text(dashboard, FUNNEL, "steps.0.count") == "11"
    assert shown_text(dashboard, FUNNEL, "steps.3.conversion_rate") == "50%"  # 4 of 8
    assert steps[4][1] == 480  # lead to conversion: 6 and 10 minutes
    assert shown_text(dashboard, FUNNEL, "steps.4.median_seconds_from_previous") == "8m"

    cohorts = dashboard.figures("#panel-retention")
    for row, (size, shares) in enumerate(expected.cohorts()):
        assert cohorts[(RETENTION, f"cohorts.{row}.size")] == size
        for i, share in enumerate(shares):
            assert cohorts[(RETENTION, f"cohorts.{row}.rates.{i}")] == pytest.approx(share)
    assert shown_text(dashboard, RETENTION, "cohorts.0.rates.1") == "40%"  # 2 of 5 back in week 1
    cell = page.locator('td:has([data-figure="cohorts.0.rates.1"])')
    assert "heat-" in (cell.get_attribute("class") or "")

    name, interest, leads = expected.products()[0]
    first = page.locator("#table-products tbody tr").first.locator("td").all_inner_texts()
    assert (first[0], first[3], first[5]) == (name, str(interest), str(leads))

    flagged = page.locator("#table-opportunities tbody tr")
    assert flagged.locator("a").all_inner_texts() == expected.flagged() == ["u-f"]
    why = flagged.first.locator(".badge").all_inner_texts()
    assert why == ["much product interest", "same product again"]


def test_tabs_are_links_that_keep_the_range(dashboard: Dashboard, expected: Expected) -> None:
    page = dashboard.page
    open_tab(dashboard, expected.scenario.query, "overview")
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


def test_the_growth_tab_fits_a_phone(dashboard: Dashboard, expected: Expected) -> None:
    page = dashboard.page
    page.set_viewport_size({"width": 375, "height": 800})
    open_tab(dashboard, expected.scenario.query, "growth")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
