"""UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then a 42-bit counter and 32 random bits.

Event ids that sort by time keep the server's primary-key index append-mostly. The layout is that of
CPython 3.14's `uuid.uuid7` (method 1 of RFC 9562 section 6.2, counter seeded at random each
millisecond), so ids made in one process are strictly increasing even within a millisecond.
"""

from __future__ import annotations

import os
import threading
import time

_VERSION_AND_VARIANT = (0x7 << 76) | (0b10 << 62)
_COUNTER_MAX = (1 << 42) - 1


class _State:
    """The last timestamp and counter handed out; replaced in a forked child (its lock may be held)."""

    __slots__ = ("counter", "last_ms", "lock")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last_ms = -1
        self.counter = 0


_state = _State()


def _seed() -> tuple[int, int]:
    """A fresh counter (its top bit clear, leaving room to count up) and 32 random bits."""
    rand = int.from_bytes(os.urandom(10), "big")
    return (rand >> 32) & (_COUNTER_MAX >> 1), rand & 0xFFFF_FFFF


def uuid7_int(ms: int | None = None) -> int:
    """The 128-bit value of a new UUIDv7 for Unix time `ms` (default: now)."""
    if ms is None:
        ms = time.time_ns() // 1_000_000
    state = _state
    with state.lock:
        if ms > state.last_ms:
            counter, tail = _seed()
        else:
            # Same millisecond, or the clock stepped back: stay on the last one and count up.
            ms = state.last_ms
            counter = state.counter + 1
            tail = int.from_bytes(os.urandom(4), "big")
            if counter > _COUNTER_MAX:
                ms += 1
                counter, tail = _seed()
        state.last_ms, state.counter = ms, counter
    return (
        (ms & 0xFFFF_FFFF_FFFF) << 80
        | (counter >> 30) << 64
        | (counter & 0x3FFF_FFFF) << 32
        | tail
        | _VERSION_AND_VARIANT
    )


def uuid7(ms: int | None = None) -> str:
    """A new UUIDv7 in its canonical text form, e.g. `0192f3c4-8a1b-7c2d-9e3f-0a1b2c3d4e5f`."""
    h = f"{uuid7_int(ms):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _reset_after_fork() -> None:
    global _state
    _state = _State()


os.register_at_fork(after_in_child=_reset_after_fork)
