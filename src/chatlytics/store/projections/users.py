"""Users: first and last activity folded from events; totals recounted from the stored rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from chatlytics.events import ValidEvent
from chatlytics.store.projections.rows import IDS, Row, chunks, in_ids, load, save
from chatlytics.store.schema import conversations, messages, sessions, users

s, c, m = sessions.c, conversations.c, messages.c
ACTIVE_AFTER = "active_after"
# A session counts as active when it has no end and saw an event at or after ACTIVE_AFTER.
_active = sa.case(
    (sa.and_(s.ended_at.is_(None), s.last_event_at >= sa.bindparam(ACTIVE_AFTER)), 1), else_=0
)
BY_SESSION = (
    sa.select(
        s.user_id,
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(s.duration_seconds), 0),
        sa.func.sum(_active),
    )
    .where(in_ids(s.user_id))
    .group_by(s.user_id)
)
BY_CONVERSATION = sa.select(c.user_id, sa.func.count()).where(in_ids(c.user_id)).group_by(c.user_id)
BY_MESSAGE = sa.select(m.user_id, sa.func.count()).where(in_ids(m.user_id)).group_by(m.user_id)
SESSION_OWNERS = sa.select(s.user_id).where(in_ids(s.session_id)).distinct()
CONVERSATION_OWNERS = sa.select(c.user_id).where(in_ids(c.conversation_id)).distinct()


def _counts(conn: Connection, query: Any, params: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {row[0]: tuple(row[1:]) for row in conn.execute(query, params)}


def user_totals(conn: Connection, ids: list[str], active_after: datetime) -> dict[str, Row]:
    """Each user's counters recounted from their stored sessions, conversations and messages.

    A session counts as active when it has no end and saw an event at or after `active_after`.
    """
    by_session = _counts(conn, BY_SESSION, {IDS: ids, ACTIVE_AFTER: active_after})
    by_conv = _counts(conn, BY_CONVERSATION, {IDS: ids})
    by_msg = _counts(conn, BY_MESSAGE, {IDS: ids})
    totals = {}
    for uid in ids:
        n_sessions, duration, n_active = by_session.get(uid, (0, 0, 0))
        totals[uid] = {
            "total_sessions": n_sessions,
            "total_duration": int(duration),
            "is_active": bool(n_active),
            "user_type": "returning" if n_sessions > 1 else "new",
            "total_conversations": by_conv.get(uid, (0,))[0],
            "total_messages": by_msg.get(uid, (0,))[0],
        }
    return totals


def owners(conn: Connection, events: list[ValidEvent]) -> set[str]:
    """Current owners of the sessions and conversations `events` touch (an owner can change when an
    earlier event arrives late, and the old owner's totals must then be recounted too)."""
    found: set[str] = set()
    for query, ids in (
        (SESSION_OWNERS, {e.session_id for e in events}),
        (CONVERSATION_OWNERS, {e.conversation_id for e in events if e.conversation_id}),
    ):
        for part in chunks(sorted(ids)):
            found.update(conn.execute(query, {IDS: part}).scalars())
    return found


def project_users(
    conn: Connection,
    events: list[ValidEvent],
    previous_owners: set[str],
    *,
    now: datetime,
    timeout_s: int,
) -> None:
    """Upsert the users of `events` and recount them and the previous owners of what they touched."""
    grouped: dict[str, list[ValidEvent]] = defaultdict(list)
    for e in events:
        grouped[e.user_id].append(e)
    for owner in previous_owners:
        grouped.setdefault(owner, [])
    existing = {row["user_id"]: row for row in load(conn, users, users.c.user_id, grouped)}
    inserts: list[Row] = []
    updates: list[Row] = []
    for part in chunks(sorted(grouped)):
        totals = user_totals(conn, part, now - timedelta(seconds=timeout_s))
        for uid in part:
            evs = grouped[uid]
            row = existing.get(uid)
            if row is None and not evs:
                continue
            fresh = row is None
            if row is None:
                row = {
                    "user_id": uid,
                    "first_seen_at": evs[0].occurred_at,
                    "last_active_at": evs[0].occurred_at,
                    "last_page_url": None,
                    "last_page_at": None,
                }
            for e in evs:
                row["first_seen_at"] = min(row["first_seen_at"], e.occurred_at)
                row["last_active_at"] = max(row["last_active_at"], e.occurred_at)
                if e.page_url is not None and (
                    row["last_page_at"] is None
                    or (e.occurred_at, e.page_url) > (row["last_page_at"], row["last_page_url"])
                ):
                    row.update(last_page_at=e.occurred_at, last_page_url=e.page_url)
            row.update(totals[uid])
            (inserts if fresh else updates).append(row)
    save(conn, users, "user_id", inserts, updates)
