"""Store one batch in one transaction: raw log (deduplicated), failed events, projections."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from chatlytics.events import Rejection, ValidEvent
from chatlytics.store.anonymous import Key, add_counts
from chatlytics.store.bulk import insert_rows, insert_values
from chatlytics.store.hourly import add_hourly, tally
from chatlytics.store.projections import project
from chatlytics.store.projections.rows import IDS, chunks, in_ids
from chatlytics.store.schema import events, failed_events

# An extra projection run on the newly stored events inside the batch's transaction.
Projection = Callable[[Connection, Sequence[ValidEvent]], None]


@dataclass(frozen=True)
class Stored:
    """What a batch did: the positions (in the batch) of events stored for the first time."""

    accepted: frozenset[int]


@dataclass(frozen=True)
class Written:
    """What became of one request's valid events: the positions stored for the first time, and
    those the database refused (position -> reason); the others were duplicates."""

    accepted: frozenset[int]
    refused: Mapping[int, str] = field(default_factory=dict)


RAW_DEPTH = 200  # orjson writes at most 254 levels; the body parser reads up to 1,024
TOO_DEEP = "[nested too deep]"


def _raw_json(value: object) -> str:
    """`value` as JSON for failed_events, whatever the sender managed to nest in it."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        try:
            return orjson.dumps(_writable(value)).decode()
        except TypeError:
            return orjson.dumps(f"[not JSON: {type(value).__name__}]").decode()


def _writable(value: object) -> object:
    """A copy of `value` with what lies deeper than RAW_DEPTH replaced by TOO_DEEP and integers
    beyond 64 bits written as text; built with a stack, not recursion, as the value may be nested
    deeper than Python's own stack allows."""
    top: list[object] = [None]
    todo: list[tuple[object, list[object] | dict[str, object], int | str, int]] = [
        (value, top, 0, 0)
    ]
    while todo:
        item, parent, key, depth = todo.pop()
        copy: object = item
        if isinstance(item, dict | list) and depth >= RAW_DEPTH:
            copy = TOO_DEEP
        elif isinstance(item, dict):
            mapping: dict[str, object] = dict.fromkeys(map(str, item))  # the sender's order
            todo.extend((v, mapping, str(k), depth + 1) for k, v in item.items())
            copy = mapping
        elif isinstance(item, list):
            items: list[object] = [None] * len(item)
            todo.extend((v, items, i, depth + 1) for i, v in enumerate(item))
            copy = items
        elif isinstance(item, int) and not -(2**63) <= item < 2**64:
            copy = str(item)
        parent[key] = copy  # type: ignore[index]
    return top[0]


EVENT_COLUMNS = (
    "event_id",
    "type",
    "source",
    "user_id",
    "session_id",
    "conversation_id",
    "page_url",
    "occurred_at",
    "client_timestamp",
    "sent_at",
    "received_at",
    "properties",
    "client_ip",
    "browser",
    "os",
    "device_type",
)


def event_values(e: ValidEvent) -> tuple[object, ...]:
    """The raw log's row of `e`, in EVENT_COLUMNS order."""
    return (
        e.event_id,
        e.type,
        e.source,
        e.user_id,
        e.session_id,
        e.conversation_id,
        e.page_url,
        e.occurred_at,
        e.client_timestamp,
        e.sent_at,
        e.received_at,
        orjson.dumps(e.properties).decode(),
        e.client_ip,
        e.browser,
        e.os,
        e.device,
    )


def event_row(e: ValidEvent) -> dict[str, object]:
    return dict(zip(EVENT_COLUMNS, event_values(e), strict=True))


def failed_row(r: Rejection, received_at: datetime) -> dict[str, object]:
    return {
        "received_at": received_at,
        "event_id": r.event_id,
        "user_id": r.user_id,
        "reason": r.error,
        "raw": _raw_json(r.raw),
    }


def wire_event(e: ValidEvent) -> dict[str, object]:
    """The event in wire form (as far as it was kept), for failed_events."""
    wire: dict[str, object] = {
        "event_id": e.event_id,
        "type": e.type,
        "timestamp": e.client_timestamp.isoformat() + "Z",
        "source": e.source,
        "user_id": e.user_id,
        "session_id": e.session_id,
    }
    if e.conversation_id is not None:
        wire["conversation_id"] = e.conversation_id
    if e.page_url is not None:
        wire["page_url"] = e.page_url
    wire["properties"] = e.properties
    return wire


def refused_row(e: ValidEvent, reason: str) -> dict[str, object]:
    """The failed_events row of a valid event that the database refused to store."""
    return {
        "received_at": e.received_at,
        "event_id": e.event_id,
        "user_id": e.user_id,
        "reason": reason,
        "raw": _raw_json(wire_event(e)),
    }


STORED = sa.select(events.c.event_id).where(in_ids(events.c.event_id))


def already_stored(conn: Connection, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for part in chunks(ids):
        found.update(conn.execute(STORED, {IDS: part}).scalars())
    return found


def store_batch(
    conn: Connection,
    valid: Sequence[ValidEvent],
    rejected: Sequence[tuple[Rejection, datetime]],
    *,
    now: datetime,
    timeout_s: int,
    anonymous: Mapping[Key, int] | None = None,
    projection: Projection | None = None,
) -> Stored:
    """Insert what is new, keep every rejection, count what is not to be stored, and project; the
    caller commits."""
    seen = already_stored(conn, sorted({e.event_id for e in valid}))
    fresh: list[ValidEvent] = []
    accepted: set[int] = set()
    for position, e in enumerate(valid):
        if e.event_id not in seen:
            seen.add(e.event_id)
            fresh.append(e)
            accepted.add(position)
    if fresh:
        insert_values(conn, events, EVENT_COLUMNS, [event_values(e) for e in fresh])
    if rejected:
        insert_rows(conn, failed_events, [failed_row(r, at) for r, at in rejected])
    add_counts(conn, anonymous or {})
    project(conn, fresh, now=now, timeout_s=timeout_s)
    if projection is not None and fresh:
        projection(conn, fresh)
    # Last: the current hour's rows are shared by every writer.
    add_hourly(conn, tally((e.occurred_at, e.type) for e in fresh))
    return Stored(frozenset(accepted))
