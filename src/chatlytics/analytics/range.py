"""The time window every figure is asked for, and how times go out in answers.

`from` and `to` are ISO dates or date-times in UTC: a naive value is UTC, an offset is converted, a bare
date means the start of that day, and `to` is exclusive. Series are cut into hour, day or week buckets
(weeks start on Monday); a window may hold at most MAX_BUCKETS of them. Stored times are naive UTC;
answers carry them as aware UTC (`...Z`) so that a browser does not read them as local time.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, get_args

from pydantic import AfterValidator

from chatlytics.store.dialect import Interval

DEFAULT_DAYS = 30
MAX_BUCKETS = 5000
# What every database can compare against (MariaDB's DATETIME spans the years 1000 to 9999).
EARLIEST = datetime(1000, 1, 1)
LATEST = datetime(9999, 1, 1)
INTERVALS: tuple[Interval, ...] = get_args(Interval)
STEP: dict[Interval, timedelta] = {
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
}
# An unencoded `+` in a query string arrives as a space: `...T10:00:00 02:00` meant `+02:00`.
_LOST_PLUS = re.compile(r"(T[0-9:.]+) ([0-9]{2}:?[0-9]{2})$")


class RangeError(ValueError):
    """The window asked for cannot be served; the message says why, for a 422 answer."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Window:
    """A half-open UTC interval [start, end) with the bucket size of its series."""

    start: datetime
    end: datetime
    interval: Interval = "day"

    def buckets(self) -> list[datetime]:
        """The start of every bucket that overlaps the window, first to last."""
        step = STEP[self.interval]
        current = truncate(self.start, self.interval)
        found = []
        while current < self.end:
            found.append(current)
            current += step
        return found

    def holds(self, bucket: datetime) -> bool:
        """Whether the bucket starting at `bucket` lies wholly in the window, not cut by its ends."""
        return self.start <= bucket and bucket + STEP[self.interval] <= self.end


def bucket_count(start: datetime, end: datetime, interval: Interval) -> int:
    """How many buckets of `interval` overlap [start, end)."""
    return math.ceil((end - truncate(start, interval)) / STEP[interval])


def truncate(moment: datetime, interval: Interval) -> datetime:
    """The start of the bucket holding `moment` (naive UTC)."""
    if interval == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if interval == "day":
        return day
    return day - timedelta(days=day.weekday())


def parse_moment(field: str, value: str) -> datetime:
    """An ISO date or date-time as naive UTC; RangeError if it is not one."""
    text = _LOST_PLUS.sub(r"\1+\2", value.strip())
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
        else:
            parsed = datetime.fromisoformat(text)
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        raise RangeError(
            field,
            f"{field}: {value!r} is not an ISO 8601 date or date-time, "
            "e.g. 2026-11-01 or 2026-11-01T08:30:00Z",
        ) from None
    if not EARLIEST <= parsed <= LATEST:
        raise RangeError(field, f"{field}: {value!r} is outside {EARLIEST.date()}..{LATEST.date()}")
    return parsed


def parse_window(
    start: str | None,
    end: str | None,
    interval: str | None,
    *,
    now: datetime,
) -> Window:
    """The window of a request: defaults to the 30 days ending `now`.

    `interval` is None for figures without a series; then the number of buckets is not limited.
    """
    stop = parse_moment("to", end) if end else now
    begin = (
        parse_moment("from", start) if start else max(stop - timedelta(days=DEFAULT_DAYS), EARLIEST)
    )
    if begin >= stop:  # with no `from`, only `to` can be at fault: it is at the earliest date
        raise RangeError(
            "from" if start else "to",
            f"from ({begin.isoformat()}) must be before to ({stop.isoformat()}); to is exclusive",
        )
    if interval is None:
        return Window(begin, stop)
    if interval not in INTERVALS:
        raise RangeError(
            "interval", f"interval must be one of {', '.join(INTERVALS)}, not {interval!r}"
        )
    checked: Interval = interval
    count = bucket_count(begin, stop, checked)
    if count > MAX_BUCKETS:
        raise RangeError(
            "interval",
            f"from..to holds {count} {checked} buckets; at most {MAX_BUCKETS} are served: use "
            + (
                "a shorter range"
                if checked == INTERVALS[-1]
                else "a longer interval or a shorter range"
            ),
        )
    return Window(begin, stop, checked)


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcTime = Annotated[datetime, AfterValidator(_as_utc)]
"""A time in an answer: stored naive UTC, sent with its UTC offset (`2026-11-01T08:30:00Z`)."""
