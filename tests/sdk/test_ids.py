"""UUIDv7 event ids (RFC 9562) and RFC 3339 timestamps."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from chatlytics.events.validate import parse_rfc3339
from chatlytics.sdk import _uuid7
from chatlytics.sdk._timefmt import datetime_ms, format_ms
from chatlytics.sdk._uuid7 import uuid7, uuid7_int

MS = 1_764_151_205_120  # 2025-11-26T10:00:05.120Z


@pytest.fixture(autouse=True)
def fresh_state(monkeypatch: pytest.MonkeyPatch) -> _uuid7._State:
    """The generator's state as in a new process: tests may then use times in the past."""
    state = _uuid7._State()
    monkeypatch.setattr(_uuid7, "_state", state)
    return state


def test_version_and_variant_bits() -> None:
    for _ in range(1000):
        value = uuid.UUID(uuid7())
        assert value.version == 7
        assert value.variant == uuid.RFC_4122


def test_the_first_48_bits_are_the_unix_milliseconds() -> None:
    assert uuid7_int(MS) >> 80 == MS
    now = datetime.now(UTC)
    stamped = uuid.UUID(uuid7()).int >> 80
    assert abs(stamped - datetime_ms(now)) < 1000


def test_ids_made_in_a_row_strictly_increase_as_text_and_number() -> None:
    ids = [uuid7() for _ in range(20_000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    numbers = [uuid.UUID(i).int for i in ids]
    assert all(a < b for a, b in itertools.pairwise(numbers))


def test_within_one_millisecond_the_counter_orders_them() -> None:
    first, second, third = uuid7_int(MS + 5), uuid7_int(MS + 5), uuid7_int(MS + 5)
    assert first < second < third
    assert {first >> 80, second >> 80, third >> 80} == {MS + 5}


def test_a_clock_stepping_back_does_not_break_the_order() -> None:
    later = uuid7_int(MS + 10_000)
    earlier_clock = uuid7_int(MS)
    assert earlier_clock > later


def test_an_exhausted_counter_moves_to_the_next_millisecond(fresh_state: _uuid7._State) -> None:
    fresh_state.last_ms, fresh_state.counter = MS, (1 << 42) - 1
    assert uuid7_int(MS) >> 80 == MS + 1


def test_timestamps_are_rfc3339_with_milliseconds_and_z() -> None:
    assert format_ms(MS) == "2025-11-26T10:00:05.120Z"
    assert format_ms(MS + 1) == "2025-11-26T10:00:05.121Z"
    assert format_ms(MS + 1000) == "2025-11-26T10:00:06.120Z"
    assert format_ms(0) == "1970-01-01T00:00:00.000Z"
    assert parse_rfc3339(format_ms(MS)) == datetime(2025, 11, 26, 10, 0, 5, 120_000, tzinfo=UTC)


def test_datetimes_become_milliseconds_naive_ones_as_utc() -> None:
    aware = datetime(2025, 11, 26, 10, 0, 5, 120_999, tzinfo=UTC)
    assert datetime_ms(aware) == MS
    assert datetime_ms(aware.replace(tzinfo=None)) == MS
    paris = aware.astimezone(timezone(timedelta(hours=1)))
    assert datetime_ms(paris) == MS
