"""Event times are parsed straight to naive UTC, the same instants parse_rfc3339 gives."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chatlytics.events.validate import parse_rfc3339, parse_rfc3339_utc

CASES = {
    "2026-11-26T10:00:05.120Z": datetime(2026, 11, 26, 10, 0, 5, 120_000),
    "2026-11-26t10:00:05z": datetime(2026, 11, 26, 10, 0, 5),
    "2026-11-26 10:00:05.123456789Z": datetime(2026, 11, 26, 10, 0, 5, 123_456),  # cut, not rounded
    "2026-11-26T10:00:05.9999999+01:00": datetime(2026, 11, 26, 9, 0, 5, 999_999),
    "2026-11-26T23:30:00-02:30": datetime(2026, 11, 27, 2, 0),
    "1970-01-01T00:00:00Z": datetime(1970, 1, 1),
}


@pytest.mark.parametrize(("text", "expected"), CASES.items())
def test_times_become_naive_utc(text: str, expected: datetime) -> None:
    assert parse_rfc3339_utc(text) == expected
    assert parse_rfc3339(text) == expected.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1970-01-01T00:30:00+01:00", "1970"),
        ("9999-12-31T23:59:59-01:00", "valid RFC 3339"),  # past the last datetime in UTC
        ("2026-02-30T10:00:00Z", "valid RFC 3339"),
        ("2026-11-26T10:00:00", "with an offset"),
        (1764151205, "with an offset"),
    ],
)
def test_bad_times_are_refused_with_a_reason(text: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_rfc3339_utc(text)
