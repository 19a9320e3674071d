"""In Chromium: sign-in, the URL, the security headers, empty states, a phone's width, CSV export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.dashboard.site import Dashboard, post
from tests.dashboard.test_browser_figures import load_scenario
from tests.helpers import event

KEY_NAME = "chatlytics.readKey"


def stored_key(dashboard: Dashboard) -> str | None:
    key: str | None = dashboard.page.evaluate(f"sessionStorage.getItem('{KEY_NAME}')")
    return key


def query(dashboard: Dashboard) -> dict[str, list[str]]:
    return parse_qs(urlsplit(dashboard.page.url).query)


def test_sign_in_refuses_wrong_keys_and_signs_out(dashboard: Dashboard) -> None:
    dashboard.allow("status of 401")
    dashboard.allow("status of 403")
    page = dashboard.page
    dashboard.open()
    key = page.get_by_label("Read key")
    key.fill("not-a-key")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("This key was not accepted").wait_for()
    assert stored_key(dashboard) is None
    assert page.locator("#app").is_hidden()

    key.fill("test-write")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("This is a write key").wait_for()

    dashboard.sign_in()
    assert stored_key(dashboard) == "test-read"
    assert "test-read" not in page.url
    page.reload()  # the tab keeps its key
    page.wait_for_selector("#view[data-loads]")
    assert page.locator("#sign-in").is_hidden()

    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You are signed out.").wait_for()
    assert stored_key(dashboard) is None
    assert page.get_by_label("Read key").is_visible()


def test_the_view_is_in_the_url_and_the_key_is_not(dashboard: Dashboard) -> None:
    page = dashboard.page
    dashboard.open("range=7d&interval=day")
    dashboard.sign_in()
    loads = dashboard.loads()
    page.get_by_label("Range", exact=True).select_option("30d")
    dashboard.wait_for_load(loads)
    assert query(dashboard) == {"range": ["30d"], "interval": ["day"]}

    loads = dashboard.loads()
    page.get_by_label("Range", exact=True).select_option("custom")
    dashboard.wait_for_load(loads)
    loads = dashboard.loads()
    page.get_by_label("First day").fill("2026-01-05")
    dashboard.wait_for_load(loads)
    loads = dashboard.loads()
    page.get_by_label("Charts", exact=True).select_option("week")
    dashboard.wait_for_load(loads)
    shared = query(dashboard)
    assert shared["range"] == ["custom"]
    assert shared["start"] == ["2026-01-05"]
    assert shared["interval"] == ["week"]
    assert page.get_attribute("#view", "data-from") == "2026-01-05T00:00:00.000Z"

    # Someone else opening the shared link sees the same view, after signing in themselves.
    other = page.context.browser.new_page()  # type: ignore[union-attr]
    other.goto(page.url)
    other.get_by_label("Read key").fill("test-read")
    other.get_by_role("button", name="Sign in").click()
    other.wait_for_selector("#view[data-loads]")
    assert other.get_by_label("Charts", exact=True).input_value() == "week"
    assert other.get_attribute("#view", "data-from") == "2026-01-05T00:00:00.000Z"
    other.close()
    assert "test-read" not in page.url


def test_security_headers_and_the_policy_holds(dashboard: Dashboard) -> None:
    response = dashboard.open()
    assert response is not None
    headers = response.headers
    policy = dict(
        part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    # An inline script, as injected markup would carry, is refused by the browser.
    dashboard.allow("violates the following Content Security Policy directive 'script-src 'self''")
    dashboard.page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.injected = true'; document.body.append(s) }"""
    )
    assert dashboard.page.evaluate("window.injected") is None


def test_empty_states_are_readable(dashboard: Dashboard) -> None:
    page = dashboard.page
    dashboard.open()
    dashboard.sign_in()
    assert (
        page.locator("#table-conversations")
        .get_by_text("No conversations in this range yet.")
        .is_visible()
    )
    assert page.locator("#chart-lead-types").get_by_text("No leads in this range yet.").is_visible()
    assert page.locator("#chart-products").get_by_text("No product interest").is_visible()
    shown = dashboard.figures()
    assert shown[("/analytics/", "total_sessions")] == 0
    assert shown[("/analytics/messages", "response_time_ms.p50")] is None
    p50 = page.locator('[data-figure="response_time_ms.p50"]')
    assert p50.inner_text() == "—"


def test_fits_a_phone(dashboard: Dashboard) -> None:
    load_scenario(dashboard.url)
    page = dashboard.page
    page.set_viewport_size({"width": 375, "height": 800})
    dashboard.open()
    dashboard.sign_in()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.locator('#table-conversations a[href*="conversation="]').first.click()
    page.wait_for_selector("#view[data-view='conversation']")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_csv_export_holds_the_rows_shown(dashboard: Dashboard, tmp_path: Path) -> None:
    at = datetime.now(UTC) - timedelta(hours=1)
    post(
        dashboard.url,
        [
            event("lead_submitted", at=at, lead_type="quote", name='Ada, "the" first'),
            event("lead_submitted", at=at, lead_type="callback", name="=HYPERLINK(1)"),
        ],
    )
    page = dashboard.page
    dashboard.open()
    dashboard.sign_in()
    with page.expect_download() as download:
        page.locator("#table-leads").get_by_role("button", name="Export CSV").click()
    assert download.value.suggested_filename.startswith("leads-")
    target = tmp_path / "leads.csv"
    download.value.save_as(target)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("Submitted (UTC),Type,Name,Email,Phone,Page,User,Conversation")
    assert len(lines) == 1 + page.locator("#table-leads tbody tr").count() == 3
    assert any(',"Ada, ""the"" first",' in line for line in lines)
    assert any(",'=HYPERLINK(1)," in line for line in lines)  # not a formula in a spreadsheet


def test_the_insight_tabs_say_what_is_missing(dashboard: Dashboard) -> None:
    """No events and no ROI settings: each panel says so rather than showing zeros as figures."""
    page = dashboard.page
    dashboard.open("range=7d&interval=day&tab=growth")
    dashboard.sign_in()
    page.wait_for_selector("#view[data-view='growth']")
    assert page.locator("#panel-funnel").get_by_text("No page views in this range").is_visible()
    assert page.locator("#panel-retention").get_by_text("No new visitors").is_visible()
    assert page.locator("#table-opportunities").get_by_text("Nobody to follow up").is_visible()

    loads = dashboard.loads()
    page.get_by_role("link", name="Operations", exact=True).click()
    dashboard.wait_for_load(loads)
    roi = page.locator("#panel-roi")
    assert roi.get_by_text("No cost is configured").is_visible()
    assert roi.get_by_text("No value is configured").is_visible()
    assert roi.locator('[data-figure="cost"]').inner_text() == "not configured"
    assert roi.locator('[data-figure="cost_per_lead"]').inner_text() == "—"
    assert page.locator("#panel-satisfaction").get_by_text("No feedback").is_visible()
    trend = page.locator("#chart-capacity-trend")
    assert trend.get_by_text("No sessions in this range yet").is_visible()
    assert trend.locator(".hint").last.inner_text() == ""  # no trend of nothing, nor advice
    assert page.locator("#panel-peak [data-figure='peak_concurrent_sessions']").inner_text() == "0"


def test_a_range_without_two_finished_weeks_says_why_there_is_no_trend(
    dashboard: Dashboard,
) -> None:
    post(dashboard.url, [event("session_start", at=datetime.now(UTC) - timedelta(minutes=5))])
    dashboard.open("range=7d&interval=day&tab=operations")
    dashboard.sign_in()
    trend = dashboard.page.locator("#chart-capacity-trend")
    assert trend.get_by_text("A trend needs two complete weeks in the range").is_visible()
    assert trend.get_by_text("No sessions in this range yet").is_hidden()
