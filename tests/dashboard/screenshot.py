"""Take docs/dashboard.png: the growth and operations tabs over five weeks of a tyre shop's chatbot.

    python -m tests.dashboard.screenshot [PATH] [--hold]

It serves the collector with the dashboard on a temporary SQLite database (with a monthly cost and a
lead value for the ROI), posts the events of `tests.dashboard.tyre_shop`, signs in with a read key and
shows the last 30 days by day in headless Chromium at 1440 pixels wide. The picture is two parts of
the page, one above the other, each as the browser drew it: the top of the growth tab (funnel,
retention cohorts, products) and the top of the operations tab (satisfaction, ROI, response times,
abandonment). With --hold it then keeps serving until Ctrl+C, printing the URL (read key: test-read),
to look at the page by hand.
"""

from __future__ import annotations

import base64
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from tests.backends import migrated, sqlite_url
from tests.dashboard.site import CHROMIUM, CHROMIUM_ARGS, post, running, sign_in
from tests.dashboard.tyre_shop import tyre_shop_events

if TYPE_CHECKING:
    from playwright.sync_api import FloatRect, Page

MAX_BYTES = 600_000
WIDTH = 1440
ROI = {"ROI_COST_PER_MONTH": 450, "ROI_LEAD_VALUE": 25, "ROI_CURRENCY": "GBP"}
VIEW = "range=30d&interval=day"
# (tab, the element the part starts at or None for the top of the page, the element it ends with)
PARTS = (
    ("growth", None, "#table-products"),
    ("operations", "#tabs", "#chart-abandonment"),
)
GAP = 10  # pixels between the parts
MARGIN = 12  # pixels of the page kept below a part's last element (and 4 above its first)


def part(page: Page, top: str | None, bottom: str) -> bytes:
    """The page from `top` to just below `bottom`, as drawn."""
    start = 0.0
    if top is not None:
        found = page.locator(top).bounding_box()
        assert found is not None, top
        start = found["y"] - 4
    end = page.locator(bottom).bounding_box()
    assert end is not None, bottom
    height = end["y"] + end["height"] + MARGIN - start
    clip: FloatRect = {"x": 0.0, "y": start, "width": float(WIDTH), "height": height}
    return page.screenshot(clip=clip, full_page=True)


def main(args: list[str]) -> int:
    hold = "--hold" in args
    paths = [a for a in args if not a.startswith("--")]
    out = Path(paths[0] if paths else "docs/dashboard.png")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        db = migrated(sqlite_url(Path(tmp)))
        with running(db, **ROI) as url:
            events = tyre_shop_events()
            for i in range(0, len(events), 250):
                post(url, events[i : i + 250])
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
                page = browser.new_page(viewport={"width": WIDTH, "height": 900})
                pictures = []
                for n, (tab, top, bottom) in enumerate(PARTS):
                    page.goto(f"{url}/dashboard?{VIEW}&tab={tab}")
                    if n == 0:
                        sign_in(page)
                    page.wait_for_selector(f"#view[data-view='{tab}']")
                    page.wait_for_selector("#live[data-state='live']")
                    pictures.append(base64.b64encode(part(page, top, bottom)).decode())
                # The parts, one above the other, on a page of their own (not the dashboard's).
                sheet = browser.new_page(viewport={"width": WIDTH, "height": 600})
                images = "".join(f'<img src="data:image/png;base64,{p}">' for p in pictures)
                style = (
                    f"margin:0;display:flex;flex-direction:column;gap:{GAP}px;background:#94a3b8"
                )
                sheet.set_content(f'<body style="{style}">{images}</body>')
                sheet.screenshot(path=str(out), full_page=True)
                browser.close()
            size = out.stat().st_size
            print(f"{out}: {len(events)} events, {size} bytes")
            if hold:
                print(f"serving {url}/dashboard?{VIEW} (read key: test-read); Ctrl+C to stop")
                try:
                    while True:
                        time.sleep(1)
                except KeyboardInterrupt:
                    pass
        db.dispose()
    return 0 if size <= MAX_BYTES else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
