"""Rate limits per write key and per client address (moving window, from the `limits` library)."""

from __future__ import annotations

import hashlib
import math
import time

from fastapi import HTTPException
from limits import RateLimitItem, parse, storage, strategies


class RateLimits:
    """`check` raises 429 with Retry-After once a key or an address is over its rate."""

    def __init__(self, per_key: str, per_address: str, storage_uri: str) -> None:
        self._per_key = self._item(per_key)
        self._per_address = self._item(per_address)
        self._limiter = strategies.MovingWindowRateLimiter(storage.storage_from_string(storage_uri))

    @staticmethod
    def _item(rate: str) -> RateLimitItem | None:
        return None if rate.strip() in ("", "0") else parse(rate)

    def check(self, key: str | None, address: str | None) -> None:
        for item, scope, value in (
            (self._per_key, "key", key),
            (self._per_address, "address", address),
        ):
            if item is None or not value:
                continue
            ident = hashlib.sha256(value.encode()).hexdigest()[:32]  # never keep the key itself
            if not self._limiter.hit(item, scope, ident):
                reset = self._limiter.get_window_stats(item, scope, ident).reset_time
                wait = max(1, math.ceil(reset - time.time()))
                raise HTTPException(
                    429,
                    f"rate limit of {item} per {scope} exceeded; retry later",
                    headers={"Retry-After": str(wait)},
                )
