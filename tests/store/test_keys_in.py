"""Look-ups by a list of keys find exactly the stored ones, whatever the keys hold and however many."""

from __future__ import annotations

from datetime import UTC, datetime

from chatlytics.events import Rejection, ValidEvent, validate_event
from chatlytics.store.batch import already_stored, store_batch
from chatlytics.store.database import Database
from tests.helpers import event

TRICKY = ["Abc", "abc", "it's", 'say "hi"', "back\\slash", "ünï-cødé", "🙂", "a,b", "[1]", "null"]


def stored(keys: list[str]) -> list[ValidEvent]:
    now = datetime.now(UTC)
    out = []
    for i, key in enumerate(keys):
        checked = validate_event(i, event("page_view", event_id=key), sent_at=None, received_at=now)
        assert not isinstance(checked, Rejection), checked
        out.append(checked)
    return out


def test_keys_are_matched_exactly_whatever_they_hold(db: Database) -> None:
    with db.write() as conn:
        store_batch(conn, stored(TRICKY[::2]), [], now=datetime.now(), timeout_s=1800)
    with db.read() as conn:
        assert already_stored(conn, TRICKY) == set(TRICKY[::2])
        assert already_stored(conn, []) == set()


def test_more_keys_than_one_look_up_takes(db: Database) -> None:
    keys = [f"k{i:05d}" for i in range(1200)]
    with db.write() as conn:
        store_batch(conn, stored(keys[::3]), [], now=datetime.now(), timeout_s=1800)
    with db.read() as conn:
        assert already_stored(conn, keys) == set(keys[::3])
