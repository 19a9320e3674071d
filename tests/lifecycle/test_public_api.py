"""The public names of chatlytics.lifecycle are deliberate."""

from __future__ import annotations

import chatlytics.lifecycle as lifecycle


def test_all() -> None:
    assert sorted(lifecycle.__all__) == [
        "Erasure",
        "RestoreRefused",
        "RetentionReport",
        "backup",
        "erase_user",
        "erasure_matches",
        "export_user",
        "register",
        "restore",
        "retention_loop",
        "router",
        "run_retention",
    ]
    for name in lifecycle.__all__:
        assert getattr(lifecycle, name) is not None
