"""RFC 3339 timestamps with milliseconds and `Z`, cheap enough for the caller's thread.

`datetime.now().isoformat()` costs a microsecond or two; the date-and-seconds part changes once a
second, so it is formatted once per second and only the milliseconds are added per call.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_cache: tuple[int, str] = (-1, "")


def format_ms(ms: int) -> str:
    """Unix milliseconds as `2026-11-26T10:00:05.120Z` (fixed width, so the strings sort by time)."""
    global _cache
    seconds, millis = divmod(ms, 1000)
    cached_seconds, prefix = _cache
    if seconds != cached_seconds:
        prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
        _cache = (seconds, prefix)
    return f"{prefix}.{millis:03d}Z"


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def datetime_ms(moment: datetime) -> int:
    """Unix milliseconds of `moment`, truncated; a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # Integer arithmetic: a float timestamp can land a hair below the millisecond.
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
