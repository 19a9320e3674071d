"""Small time helpers shared by the store and the analytics."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta


def whole_seconds(span: timedelta) -> int:
    """Seconds rounded half up, the documented rounding of every duration."""
    return math.floor(span.total_seconds() + 0.5)


def utcnow() -> datetime:
    """Now as naive UTC, the form every stored time has."""
    return datetime.now(UTC).replace(tzinfo=None)
