"""Take docs/dashboard.png: the dashboard over a tyre shop's day, in headless Chromium at 1440x900.

    python -m tests.dashboard.screenshot [PATH] [--hold]

It serves the collector with the dashboard on a temporary SQLite database, posts the events of
`tests.dashboard.tyre_shop`, signs in with a read key and shows yesterday (UTC) by hour. With --hold it
then keeps serving until Ctrl+C, printing the URL (read key: test-read), to look at the page by hand.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.backends import migrated, sqlite_url
from tests.dashboard.site import CHROMIUM, CHROMIUM_ARGS, post, running, sign_in
from tests.dashboard.tyre_shop import tyre_shop_events

MAX_BYTES = 400_000


def main(args: list[str]) -> int:
    hold = "--hold" in args
    paths = [a for a in args if not a.startswith("--")]
    out = Path(paths[0] if paths else "docs/dashboard.png")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        db = migrated(sqlite_url(Path(tmp)))
        with running(db) as url:
            events = tyre_shop_events()
            for i in range(0, len(events), 250):
                post(url, events[i : i + 250])
            day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
            view = f"{url}/dashboard?range=custom&start={day}&end={day}&interval=hour"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                page.goto(view)
                sign_in(page)
                page.wait_for_selector("#live[data-state='live']")
                page.screenshot(path=str(out))
                browser.close()
            size = out.stat().st_size
            print(f"{out}: {len(events)} events, {size} bytes")
            if hold:
                print(f"serving {view} (read key: test-read); Ctrl+C to stop")
                try:
                    while True:
                        time.sleep(1)
                except KeyboardInterrupt:
                    pass
        db.dispose()
    return 0 if size <= MAX_BYTES else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
