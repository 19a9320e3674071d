"""The event types in the raw log, read as a few index seeks rather than a scan.

The events index leads with the type, so a reader that wants every type of a time range asks per
type. The types come from that index, one seek each for the next type after the last one found: a
DISTINCT reads every entry, and MariaDB walks the whole index for the same steps written as a
recursive query. No other table is asked, so no type the log holds can be missed.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from chatlytics.store.schema import events

_FIRST = sa.select(sa.func.min(events.c.type))
_NEXT = _FIRST.where(events.c.type > sa.bindparam("after"))


def stored_types(conn: Connection) -> list[str]:
    """Every distinct `type` of the stored events, in the database's order."""
    found: list[str] = []
    kind = conn.execute(_FIRST).scalar()
    while kind is not None:
        found.append(kind)
        kind = conn.execute(_NEXT, {"after": kind}).scalar()
    return found
