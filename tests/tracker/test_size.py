"""The size budget of the built tracker: 2,560 bytes once gzipped (as the collector serves it)."""

from __future__ import annotations

import gzip

from chatlytics.tracker import BUILT
from tests.tracker.site import require

BUDGET = 2560


def test_the_built_tracker_gzips_within_its_budget() -> None:
    require("built")
    size = len(gzip.compress(BUILT.read_bytes(), compresslevel=9, mtime=0))
    assert size <= BUDGET, f"t.js is {size} bytes gzipped, over its budget of {BUDGET}"


def test_the_built_tracker_is_minified() -> None:
    require("built")
    text = BUILT.read_text()
    assert text.count("\n") <= 1
    assert "chatlytics" in text
