"""The window parameters, without HTTP: parsing, defaults, buckets."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chatlytics.analytics.range import RangeError, Window, parse_moment, parse_window, truncate

NOW = datetime(2026, 11, 26, 15, 42, 7, 123456)  # a Thursday


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2026-11-01", datetime(2026, 11, 1)),
        ("2026-11-01T08:30:00", datetime(2026, 11, 1, 8, 30)),
        ("2026-11-01 08:30", datetime(2026, 11, 1, 8, 30)),
        ("2026-11-01T08:30:00Z", datetime(2026, 11, 1, 8, 30)),
        ("2026-11-01T08:30:00.25+02:00", datetime(2026, 11, 1, 6, 30, 0, 250000)),
        ("2026-11-01T01:30:00-03:00", datetime(2026, 11, 1, 4, 30)),
        ("2026-11-01T00:30:00+01:00", datetime(2026, 10, 31, 23, 30)),
        ("2026-11-01T08:30:00 02:00", datetime(2026, 11, 1, 6, 30)),  # a `+` lost in a query
        ("  2026-11-01 ", datetime(2026, 11, 1)),
    ],
)
def test_parse_moment(text: str, moment: datetime) -> None:
    assert parse_moment("from", text) == moment


@pytest.mark.parametrize(
    "text",
    [
        "",
        "today",
        "1700000000",
        "2026-02-30",
        "2026-11-01T24:01",
        "0001-01-01T00:00:00+01:00",
        "0999-12-31",
        "9999-06-01",
    ],
)
def test_parse_moment_refuses(text: str) -> None:
    with pytest.raises(RangeError) as caught:
        parse_moment("to", text)
    assert caught.value.field == "to"
    assert str(caught.value).startswith("to: ")


def test_default_window_is_30_days_to_now() -> None:
    assert parse_window(None, None, "day", now=NOW) == Window(NOW - timedelta(days=30), NOW, "day")
    assert parse_window("2026-11-20", None, None, now=NOW).end == NOW
    assert parse_window(None, "2026-11-20", None, now=NOW).start == datetime(2026, 10, 21)


def test_truncate() -> None:
    assert truncate(NOW, "hour") == datetime(2026, 11, 26, 15)
    assert truncate(NOW, "day") == datetime(2026, 11, 26)
    assert truncate(NOW, "week") == datetime(2026, 11, 23)  # Monday
    monday = datetime(2026, 11, 23)
    assert truncate(monday, "week") == monday
    assert truncate(monday - timedelta(microseconds=1), "week") == datetime(2026, 11, 16)


def test_buckets_cover_the_window() -> None:
    window = Window(datetime(2026, 11, 26, 10, 30), datetime(2026, 11, 26, 13), "hour")
    assert window.buckets() == [datetime(2026, 11, 26, h) for h in (10, 11, 12)]
    weeks = Window(datetime(2026, 11, 26), datetime(2026, 12, 1), "week").buckets()
    assert weeks == [datetime(2026, 11, 23), datetime(2026, 11, 30)]
    assert Window(datetime(2026, 11, 26), datetime(2026, 11, 27), "day").buckets() == [
        datetime(2026, 11, 26)
    ]


def test_bucket_limit() -> None:
    start = datetime(2026, 1, 1)
    fits = parse_window(
        start.isoformat(), (start + timedelta(days=5000)).isoformat(), "day", now=NOW
    )
    assert len(fits.buckets()) == 5000
    with pytest.raises(RangeError, match="5001 day buckets") as caught:
        parse_window(
            start.isoformat(), (start + timedelta(days=5000, seconds=1)).isoformat(), "day", now=NOW
        )
    assert caught.value.field == "interval"
    # Without a series the same window is fine.
    parse_window(start.isoformat(), (start + timedelta(days=6000)).isoformat(), None, now=NOW)


def test_order_and_interval_are_checked() -> None:
    with pytest.raises(RangeError, match="must be before to"):
        parse_window("2026-11-02", "2026-11-02", None, now=NOW)
    with pytest.raises(RangeError, match="interval must be one of hour, day, week"):
        parse_window(None, None, "month", now=NOW)
