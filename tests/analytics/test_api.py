"""The public names of chatlytics.analytics are deliberate."""

from __future__ import annotations

import chatlytics.analytics as analytics


def test_all() -> None:
    assert sorted(analytics.__all__) == [
        "Clock",
        "RangeError",
        "Window",
        "active_users",
        "conversation_figures",
        "event_counts",
        "handover_figures",
        "lead_figures",
        "message_figures",
        "overview",
        "parse_window",
        "percentile_cont",
        "session_figures",
        "user_detail",
    ]
    for name in analytics.__all__:
        assert getattr(analytics, name) is not None
