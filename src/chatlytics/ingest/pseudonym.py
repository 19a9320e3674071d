"""Pseudonymous user ids: a keyed hash, so the store never holds the sender's own ids."""

from __future__ import annotations

import hashlib
import hmac


def pseudonym(user_id: str, secret: str) -> str:
    """The same id always gives the same pseudonym under one secret; without it, none can be undone."""
    digest = hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()
    return f"p_{digest[:40]}"
