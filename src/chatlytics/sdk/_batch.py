"""A batch of events, each encoded once, and the request body around them.

Events are encoded when they join a batch (on the consumer thread, never the caller's) and kept as
bytes, so a retry only rebuilds the small envelope with a new `sent_at`.
"""

from __future__ import annotations

import json
from typing import Any

# The server's limits (ingest/routes.py, ingest/body.py, events/validate.py).
MAX_EVENTS = 500
MAX_BODY_BYTES = 512 * 1024
MAX_EVENT_BYTES = 32 * 1024
_HEAD = b'{"sent_at":"'
_MIDDLE = b'","events":['
_TAIL = b"]}"
# The envelope around the events: head, a sent_at of 24 bytes, middle and tail.
ENVELOPE_BYTES = len(_HEAD) + 24 + len(_MIDDLE) + len(_TAIL)


def encode(event: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON; ValueError for NaN or infinity, which the server cannot parse.

    Values JSON does not know (datetimes, UUIDs, decimals) are sent as their `str()`.
    """
    return json.dumps(
        event, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=str
    ).encode()


class Batch:
    """Encoded events bound for one request, and the size of that request's body."""

    __slots__ = ("events", "size")

    def __init__(self) -> None:
        self.events: list[bytes] = []
        self.size = ENVELOPE_BYTES

    def __len__(self) -> int:
        return len(self.events)

    def fits(self, encoded: bytes, max_bytes: int) -> bool:
        """Whether `encoded` can join without the body passing `max_bytes` (a lone event always can)."""
        return not self.events or self.size + 1 + len(encoded) <= max_bytes

    def add(self, encoded: bytes) -> None:
        self.size += len(encoded) + (1 if self.events else 0)
        self.events.append(encoded)

    def body(self, sent_at: str) -> bytes:
        """The request body, `{"sent_at": ..., "events": [...]}`, stamped with this attempt's time."""
        return b"".join((_HEAD, sent_at.encode(), _MIDDLE, b",".join(self.events), _TAIL))
