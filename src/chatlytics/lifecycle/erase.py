"""GDPR erasure of one person, in one transaction, with an audit record that does not name them.

The audit record keeps `user_hash` = HMAC-SHA-256 of the id as it was given, keyed with a random salt
stored beside it, prefixed by USER_ID_SECRET when one is set. Without the secret, whoever holds the
database and guesses an id can confirm that it was erased; with it, no one without the secret can.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.engine import Connection

from chatlytics.lifecycle.people import stored_ids
from chatlytics.lifecycle.transactions import write_retrying
from chatlytics.settings import Settings
from chatlytics.store.database import Database
from chatlytics.store.erase import PERSONAL_TABLES, ErasureRecord, erase_person, record_erasure
from chatlytics.store.timing import utcnow

Actor = Literal["api", "cli"]
ERASED_TABLES = ("events", "failed_events", *(str(t.name) for t in PERSONAL_TABLES))


@dataclass(frozen=True)
class Erasure:
    """The id as given, and how many rows each table lost."""

    user_id: str
    removed: dict[str, int]


def user_hash(user_id: str, salt: str, secret: str | None) -> str:
    key = (secret or "").encode() + bytes.fromhex(salt)
    return hmac.new(key, user_id.encode(), hashlib.sha256).hexdigest()


def erasure_matches(record: ErasureRecord, user_id: str, secret: str | None) -> bool:
    """Whether an audit record is that of `user_id` (under USER_ID_SECRET `secret`, if one was set)."""
    return hmac.compare_digest(record.user_hash, user_hash(user_id, record.salt, secret))


def erase_user(
    db: Database, user_id: str, *, settings: Settings, actor: Actor, now: datetime | None = None
) -> Erasure | None:
    """Remove everything held about `user_id`; None (and no audit record) when nothing was held."""
    ids = stored_ids(settings, user_id)
    at = now or utcnow()

    def erase(conn: Connection) -> dict[str, int]:
        counts = erase_person(conn, ids, now=at, timeout_s=settings.session_timeout_minutes * 60)
        removed = {name: counts.get(name, 0) for name in ERASED_TABLES}
        if any(removed.values()):
            salt = secrets.token_hex(16)
            digest = user_hash(user_id, salt, settings.user_id_secret)
            record_erasure(
                conn, erased_at=at, user_hash=digest, salt=salt, counts=removed, actor=actor
            )
        return removed

    removed = write_retrying(db, erase)
    return Erasure(user_id, removed) if any(removed.values()) else None
