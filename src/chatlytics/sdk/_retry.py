"""When to try a request again, and how long to wait first.

Only answers that may succeed unchanged are retried: 408, 429 and 5xx (and network errors). Any other
4xx would fail the same way every time. The wait grows exponentially with jitter, so that many
processes recovering from the same outage do not return in step; a `Retry-After` from the server
wins over the computed wait, up to a cap, so one bad header cannot stall the queue for hours.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def is_retryable(status: int) -> bool:
    return status in (408, 429) or 500 <= status <= 599


def retry_after(headers: Mapping[str, str], *, now: datetime | None = None) -> float | None:
    """Seconds asked for by a `Retry-After` header (delta-seconds or HTTP-date); None if absent."""
    value = headers.get("retry-after") or headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff(
    attempt: int,
    *,
    base: float,
    cap: float,
    asked: float | None = None,
    rand: random.Random | None = None,
) -> float:
    """Seconds to wait before retry number `attempt` (1, 2, ...).

    Without `asked`: "equal jitter", uniform in [d/2, d] with d = base * 2**(attempt-1), at most `cap`.
    With a Retry-After of `asked` seconds: that, plus up to 10% jitter, at most `cap`.
    """
    draw = (rand or random).random()
    if asked is not None:
        return min(cap, asked * (1.0 + 0.1 * draw))
    ceiling = min(cap, base * 2.0 ** min(attempt - 1, 60))
    return ceiling / 2 + ceiling / 2 * draw
