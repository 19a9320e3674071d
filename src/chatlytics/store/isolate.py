"""Find the events a database refuses, so that one bad value does not fail everyone's commit.

A refusal (a value out of a column's range, a broken constraint) belongs to the event that carries it;
an outage (connection lost, disk full, locked) belongs to the database and fails the whole batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, IntegrityError

from chatlytics.events import ValidEvent
from chatlytics.store.batch import Stored, Written, already_stored

MAX_REASON = 1000
Store = Callable[[Connection, Sequence[ValidEvent]], Stored]


def is_refusal(exc: BaseException) -> bool:
    """The database refused a value (not: could not be reached or could not work)."""
    return isinstance(exc, DataError | IntegrityError)


def refusal_reason(exc: DataError | IntegrityError) -> str:
    """The driver's own first line, without the SQL, parameters or row dump SQLAlchemy adds."""
    orig = exc.orig
    args: tuple[object, ...] = getattr(orig, "args", ())
    # PyMySQL: (error code, message); the others: the message.
    if len(args) == 2 and isinstance(args[0], int) and isinstance(args[1], str):
        text = args[1]
    else:
        text = str(orig)
    lines = text.replace("\x00", "").strip().splitlines()
    first = lines[0].strip() if lines else type(orig).__name__
    return f"the database refused it: {first}"[:MAX_REASON]


def store_refusing(conn: Connection, events: Sequence[ValidEvent], store: Store) -> Written:
    """Store `events` under savepoints, leaving out each one the database refuses.

    Halving finds the refused events in a few tries; what was stored stays stored, so a later half
    sees an earlier half's events as duplicates, as one batch would.
    """
    try:
        with conn.begin_nested():
            return Written(store(conn, events).accepted)
    except (DataError, IntegrityError) as exc:
        if len(events) > 1:
            middle = len(events) // 2
            left = store_refusing(conn, events[:middle], store)
            right = store_refusing(conn, events[middle:], store)
            return Written(
                left.accepted | {middle + p for p in right.accepted},
                {**left.refused, **{middle + p: r for p, r in right.refused.items()}},
            )
        if isinstance(exc, IntegrityError) and already_stored(conn, [events[0].event_id]):
            return Written(frozenset())  # another writer stored it first: a duplicate
        return Written(frozenset(), {0: refusal_reason(exc)})
