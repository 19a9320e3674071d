"""Deleting raw events while the projections stay what the remaining events give.

`remove_events` deletes a set of events with their per-event rows, then re-derives every session and
conversation one of them belonged to from the events left (a span cut in two keeps what remains; one
with nothing left goes), re-assigns the handovers of those sessions, and re-derives the users
involved: first and last activity and last page from their remaining events, counters with
`user_totals`; a user with no event left goes. Retention (by age) and erasure (by person) both use it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Connection, Row

from chatlytics.events import CATALOGUE, ValidEvent
from chatlytics.store.event_types import stored_types
from chatlytics.store.hourly import HourKey, take_hourly, tally
from chatlytics.store.projections import SERVER_ONLY
from chatlytics.store.projections.abandonment import reflag_all
from chatlytics.store.projections.asked import relink_all
from chatlytics.store.projections.firsts import reproject_firsts
from chatlytics.store.projections.handovers import assign_handovers
from chatlytics.store.projections.rows import chunks, load, save
from chatlytics.store.projections.spans import project_conversations, project_sessions
from chatlytics.store.projections.users import user_totals
from chatlytics.store.schema import (
    PROJECTIONS,
    conversations,
    events,
    failed_events,
    first_events,
    sessions,
    users,
)

# The projections with one row per event, keyed by the event's id.
RECORD_TABLES = tuple(t for t in PROJECTIONS if "event_id" in t.primary_key.columns)


@dataclass(frozen=True)
class Doomed:
    """An event about to be deleted: what is needed to find what depended on it."""

    event_id: str
    type: str
    user_id: str
    session_id: str
    conversation_id: str | None


DOOMED_COLUMNS = (
    events.c.event_id,
    events.c.type,
    events.c.user_id,
    events.c.session_id,
    events.c.conversation_id,
)


def doomed(rows: Iterable[Row[Any]]) -> list[Doomed]:
    return [Doomed(r.event_id, r.type, r.user_id, r.session_id, r.conversation_id) for r in rows]


def delete_in(
    conn: Connection, table: sa.Table, column: sa.Column[Any], keys: Iterable[Any]
) -> int:
    """Delete the rows whose `column` is in `keys`; returns how many went."""
    removed = 0
    for part in chunks(sorted(set(keys))):
        removed += conn.execute(sa.delete(table).where(column.in_(part))).rowcount
    return removed


def stored_event(row: Row[Any]) -> ValidEvent:
    """A stored event as the projections take it (properties checked against the catalogue again)."""
    properties = orjson.loads(row.properties)
    entry = CATALOGUE.get(row.type)
    props = None
    if entry is not None:
        try:
            props = entry[1].model_validate(properties)
        except ValidationError:
            props = None  # stored under an older contract: folded as a custom event would be
    return ValidEvent(
        event_id=row.event_id,
        type=row.type,
        source=row.source,
        user_id=row.user_id,
        session_id=row.session_id,
        conversation_id=row.conversation_id,
        page_url=row.page_url,
        occurred_at=row.occurred_at,
        client_timestamp=row.client_timestamp,
        sent_at=row.sent_at,
        received_at=row.received_at,
        properties=properties,
        props=props,
        client_ip=row._mapping.get("client_ip"),
        browser=row._mapping.get("browser"),
        os=row._mapping.get("os"),
        device=row._mapping.get("device_type"),
    )


def remaining_events(
    conn: Connection, session_ids: Sequence[str], conversation_ids: Sequence[str]
) -> list[ValidEvent]:
    """The projected events still stored in these sessions or conversations."""
    found: dict[str, ValidEvent] = {}
    for column, keys in (
        (events.c.session_id, session_ids),
        (events.c.conversation_id, conversation_ids),
    ):
        for part in chunks(keys):
            query = sa.select(events).where(column.in_(part), events.c.type.not_in(SERVER_ONLY))
            for row in conn.execute(query):
                found.setdefault(row.event_id, stored_event(row))
    return list(found.values())


def _hourly_of(conn: Connection, event_ids: Sequence[str]) -> Counter[HourKey]:
    """The hourly counts of the stored events among `event_ids`, locked until the caller commits
    (so an erasure and a retention run deleting the same event cannot both take it off)."""
    e = events.c
    found: Counter[HourKey] = Counter()
    for part in chunks(sorted(set(event_ids))):
        query = (
            sa.select(e.occurred_at, e.type)
            .where(e.event_id.in_(part))
            .order_by(e.event_id)
            .with_for_update()
        )
        found.update(tally(conn.execute(query)))
    return found


def remove_events(
    conn: Connection, gone: Sequence[Doomed], *, now: datetime, timeout_s: int
) -> Counter[str]:
    """Delete `gone` and re-derive what depended on it, in the caller's transaction; rows removed
    per table (re-derived rows that remain are not counted)."""
    counts: Counter[str] = Counter()
    projected = [d for d in gone if d.type not in SERVER_ONLY]
    session_ids = sorted({d.session_id for d in projected})
    conversation_ids = sorted({d.conversation_id for d in projected if d.conversation_id})
    # Lock the spans first, in the writer's order (sessions, conversations, then users): a batch
    # being stored at the same time is then either seen here or folded into what is re-derived.
    before_sessions = load(conn, sessions, sessions.c.session_id, session_ids)
    before_conversations = load(
        conn, conversations, conversations.c.conversation_id, conversation_ids
    )
    event_ids = [d.event_id for d in gone]
    hourly = _hourly_of(conn, event_ids)
    for table in RECORD_TABLES:
        counts[str(table.name)] += delete_in(conn, table, table.c.event_id, event_ids)
    counts[str(events.name)] += delete_in(conn, events, events.c.event_id, event_ids)

    left = remaining_events(conn, session_ids, conversation_ids)
    in_sessions = set(session_ids)
    in_conversations = set(conversation_ids)
    session_events = [e for e in left if e.session_id in in_sessions]
    conversation_events = [e for e in left if e.conversation_id in in_conversations]
    delete_in(conn, sessions, sessions.c.session_id, session_ids)
    delete_in(conn, conversations, conversations.c.conversation_id, conversation_ids)
    project_sessions(conn, session_events)
    reflag_all(conn, session_ids)  # a close or a question may have gone
    counts[str(first_events.name)] += reproject_firsts(conn, session_ids, session_events)
    project_conversations(conn, conversation_events)
    relink_all(conn, conversation_ids)  # a question may have gone
    assign_handovers(conn, left)
    counts[str(sessions.name)] += len(
        {r["session_id"] for r in before_sessions} - {e.session_id for e in session_events}
    )
    counts[str(conversations.name)] += len(
        {r["conversation_id"] for r in before_conversations}
        - {e.conversation_id for e in conversation_events}
    )
    people = {d.user_id for d in projected} | {e.user_id for e in left}
    people.update(r["user_id"] for r in [*before_sessions, *before_conversations])
    counts[str(users.name)] += rederive_users(conn, people, now=now, timeout_s=timeout_s)
    take_hourly(conn, hourly)  # last: rows every writer shares
    return counts


def _activity(conn: Connection, ids: list[str]) -> dict[str, tuple[datetime, datetime]]:
    e = events.c
    query = (
        sa.select(e.user_id, sa.func.min(e.occurred_at), sa.func.max(e.occurred_at))
        .where(e.user_id.in_(ids), e.type.not_in(SERVER_ONLY))
        .group_by(e.user_id)
    )
    return {uid: (first, last) for uid, first, last in conn.execute(query)}


def _last_pages(conn: Connection, ids: list[str]) -> dict[str, tuple[datetime, str]]:
    """The projection's rule: the latest page view, ties broken by the larger URL (compared here,
    not by the database's collation)."""
    e = events.c
    paged = sa.and_(e.user_id.in_(ids), e.type.not_in(SERVER_ONLY), e.page_url.is_not(None))
    latest = (
        sa.select(e.user_id, sa.func.max(e.occurred_at).label("at"))
        .where(paged)
        .group_by(e.user_id)
        .subquery()
    )
    on_latest = sa.and_(e.user_id == latest.c.user_id, e.occurred_at == latest.c.at)
    query = sa.select(e.user_id, e.occurred_at, e.page_url).join(latest, on_latest).where(paged)
    pages: dict[str, tuple[datetime, str]] = {}
    for uid, at, url in conn.execute(query):
        pages[uid] = max(pages.get(uid, (at, url)), (at, url))
    return pages


def rederive_users(conn: Connection, ids: Iterable[str], *, now: datetime, timeout_s: int) -> int:
    """Re-derive these users from what is stored; returns how many had no event left and went."""
    wanted = sorted(set(ids))
    existing = {row["user_id"] for row in load(conn, users, users.c.user_id, wanted)}
    removed = 0
    for part in chunks(wanted):
        activity = _activity(conn, part)
        pages = _last_pages(conn, part)
        totals = user_totals(conn, part, now - timedelta(seconds=timeout_s))
        removed += delete_in(
            conn, users, users.c.user_id, [u for u in part if u in existing and u not in activity]
        )
        new: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        for uid, (first, last) in activity.items():
            at, url = pages.get(uid, (None, None))
            row = {
                "user_id": uid,
                "first_seen_at": first,
                "last_active_at": last,
                "last_page_at": at,
                "last_page_url": url,
                **totals[uid],
            }
            (changed if uid in existing else new).append(row)
        save(conn, users, "user_id", new, changed)
    return removed


def expired_events(conn: Connection, cutoff: datetime, limit: int) -> list[Doomed]:
    """Up to `limit` of the oldest events that occurred before `cutoff` (ties by event_id).

    Asked type by type, each an index range (the events index leads with the type), and the
    oldest `limit` of all kept."""
    e = events.c
    found: list[Row[Any]] = []
    for kind in stored_types(conn):
        query = (
            sa.select(*DOOMED_COLUMNS, e.occurred_at)
            .where(e.type == kind, e.occurred_at < cutoff)
            .order_by(e.occurred_at, e.event_id)
            .limit(limit)
        )
        found.extend(conn.execute(query))
    found.sort(key=lambda row: (row.occurred_at, row.event_id))
    return doomed(found[:limit])


def purge_failed(conn: Connection, cutoff: datetime, limit: int) -> int:
    """Delete up to `limit` of the refused events received before `cutoff`."""
    f = failed_events.c
    query = sa.select(f.id).where(f.received_at < cutoff).order_by(f.id).limit(limit)
    return delete_in(conn, failed_events, f.id, conn.execute(query).scalars())
