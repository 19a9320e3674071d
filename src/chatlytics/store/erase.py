"""Erasing one person: every row that names them, and the sessions and conversations they were in.

What goes: their events; every event of a session or conversation in which they sent one (even under
another id, e.g. the widget's anonymous id beside the chat server's); what those events projected;
any row left in a table with a `user_id` column; refused events filed under them or whose raw JSON
holds one of their ids as a string value. Other people's spans and totals are re-derived from what
remains (see store/retention.py). The caller's transaction makes it all or nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from chatlytics.store.projections.rows import chunks
from chatlytics.store.retention import DOOMED_COLUMNS, Doomed, delete_in, doomed, remove_events
from chatlytics.store.schema import (
    conversations,
    erasures,
    events,
    failed_events,
    metadata,
    sessions,
)

PERSONAL_TABLES = tuple(
    t for t in metadata.sorted_tables if "user_id" in t.c and t not in (events, failed_events)
)


def _spans_of(conn: Connection, ids: Sequence[str]) -> tuple[set[str], set[str]]:
    """The sessions and conversations the person sent an event in, or owns."""
    session_ids: set[str] = set()
    conversation_ids: set[str] = set()
    e = events.c
    query = sa.select(e.session_id, e.conversation_id).where(e.user_id.in_(ids)).distinct()
    for session_id, conversation_id in conn.execute(query):
        session_ids.add(session_id)
        if conversation_id is not None:
            conversation_ids.add(conversation_id)
    owned = sa.select(sessions.c.session_id).where(sessions.c.user_id.in_(ids))
    session_ids.update(conn.execute(owned).scalars())
    owned = sa.select(conversations.c.conversation_id).where(conversations.c.user_id.in_(ids))
    conversation_ids.update(conn.execute(owned).scalars())
    return session_ids, conversation_ids


def events_of_person(conn: Connection, ids: Sequence[str]) -> list[Doomed]:
    """Their events, and every event of the sessions and conversations they were in."""
    session_ids, conversation_ids = _spans_of(conn, ids)
    found: dict[str, Doomed] = {}
    for column, keys in (
        (events.c.user_id, set(ids)),
        (events.c.session_id, session_ids),
        (events.c.conversation_id, conversation_ids),
    ):
        for part in chunks(sorted(keys)):
            query = sa.select(*DOOMED_COLUMNS).where(column.in_(part))
            found.update((d.event_id, d) for d in doomed(conn.execute(query)))
    return list(found.values())


def failed_naming(conn: Connection, ids: Sequence[str]) -> list[int]:
    """Refused events filed under one of `ids`, or whose raw JSON holds one as a string value.

    The LIKE only narrows the search (it may fold case, by collation); the match is made here, on the
    exact JSON text of the id, so `u1` does not catch `u10` or `U1`.
    """
    f = failed_events.c
    found = set(conn.execute(sa.select(f.id).where(f.user_id.in_(ids))).scalars())
    for user_id in ids:
        quoted = orjson.dumps(user_id).decode()
        query = sa.select(f.id, f.raw).where(f.raw.contains(quoted, autoescape=True))
        found.update(row_id for row_id, raw in conn.execute(query) if quoted in raw)
    return sorted(found)


def erase_person(
    conn: Connection, ids: Sequence[str], *, now: datetime, timeout_s: int
) -> Counter[str]:
    """Remove everything held under `ids` (one person); rows removed per table."""
    counts = remove_events(conn, events_of_person(conn, ids), now=now, timeout_s=timeout_s)
    # Anything the projections still hold under the person (none, unless a table was added that
    # the events do not lead to), then the refused events.
    for table in PERSONAL_TABLES:
        counts[str(table.name)] += delete_in(conn, table, table.c.user_id, ids)
    counts[str(failed_events.name)] += delete_in(
        conn, failed_events, failed_events.c.id, failed_naming(conn, ids)
    )
    return counts


def record_erasure(
    conn: Connection,
    *,
    erased_at: datetime,
    user_hash: str,
    salt: str,
    counts: dict[str, int],
    actor: str,
) -> None:
    """Keep the fact of an erasure (never the id itself)."""
    conn.execute(
        sa.insert(erasures).values(
            erased_at=erased_at,
            user_hash=user_hash,
            salt=salt,
            counts=orjson.dumps(counts, option=orjson.OPT_SORT_KEYS).decode(),
            actor=actor,
        )
    )


@dataclass(frozen=True)
class ErasureRecord:
    """One audit record: when, by whom, how many rows; the person only as a salted, keyed hash."""

    id: int
    erased_at: datetime
    user_hash: str
    salt: str
    counts: dict[str, int]
    actor: str


def erasure_records(conn: Connection) -> list[ErasureRecord]:
    """Every audit record, oldest first."""
    e = erasures.c
    query = sa.select(e.id, e.erased_at, e.user_hash, e.salt, e.counts, e.actor).order_by(e.id)
    return [
        ErasureRecord(r.id, r.erased_at, r.user_hash, r.salt, orjson.loads(r.counts), r.actor)
        for r in conn.execute(query)
    ]
