"""The ids a person may be stored under."""

from __future__ import annotations

from chatlytics.ingest.pseudonym import pseudonym
from chatlytics.settings import Settings


def stored_ids(settings: Settings, user_id: str) -> list[str]:
    """`user_id` as given, and its pseudonym when PSEUDONYMIZE_USER_IDS is on (so that a request
    naming the person's own id finds what was stored under the keyed hash)."""
    ids = [user_id]
    if settings.pseudonymize_user_ids and settings.user_id_secret:
        ids.append(pseudonym(user_id, settings.user_id_secret))
    return ids
