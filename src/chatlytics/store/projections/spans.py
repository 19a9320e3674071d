"""Sessions and conversations: spans of time folded from their events with order-free rules.

start = earliest event (ties: smallest event_id, which also picks the owner); last activity = latest
event; end = the winning end event (sessions: backend over widget, then latest; conversations: latest);
a conversation's last message = its latest message event (ties: largest event_id).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from sqlalchemy.engine import Connection

from chatlytics.events import ValidEvent
from chatlytics.events.catalogue import BotResponse, SessionStart
from chatlytics.store.projections.rows import Row, load, save
from chatlytics.store.schema import conversations, sessions
from chatlytics.store.timing import whole_seconds


def _new_span(e: ValidEvent) -> Row:
    return {
        "user_id": e.user_id,
        "started_at": e.occurred_at,
        "first_event_id": e.event_id,
        "last_event_at": e.occurred_at,
        "ended_at": None,
        "end_status": None,
        "end_event_id": None,
        "message_count": 0,
        "user_message_count": 0,
        "bot_message_count": 0,
    }


def _fold_span(row: Row, e: ValidEvent) -> bool:
    """Fold the common part; True when `e` became the span's first event."""
    first = (e.occurred_at, e.event_id) < (row["started_at"], row["first_event_id"])
    if first:
        row.update(started_at=e.occurred_at, first_event_id=e.event_id, user_id=e.user_id)
    row["last_event_at"] = max(row["last_event_at"], e.occurred_at)
    if e.is_message:
        row["message_count"] += 1
        row["user_message_count"] += e.type == "user_message"
        row["bot_message_count"] += e.type == "bot_response"
    return first


def _finish(row: Row) -> Row:
    ended = row["ended_at"]
    row["duration_seconds"] = whole_seconds(ended - row["started_at"]) if ended else None
    row["active_seconds"] = whole_seconds(row["last_event_at"] - row["started_at"])
    return row


def _fold_session(row: Row, e: ValidEvent) -> None:
    _fold_span(row, e)
    row["event_count"] += 1
    row["has_widget"] = row["has_widget"] or e.source == "widget"
    row["has_backend"] = row["has_backend"] or e.source == "backend"
    if e.type == "session_end":
        current = (row["end_source"] == "backend", row["ended_at"], row["end_event_id"])
        candidate = (e.source == "backend", e.occurred_at, e.event_id)
        if row["ended_at"] is None or candidate > current:
            row.update(
                ended_at=e.occurred_at,
                end_source=e.source,
                end_status=e.properties.get("status"),
                end_reason=e.properties.get("reason"),
                end_event_id=e.event_id,
            )
    if e.type == "session_start" and isinstance(e.props, SessionStart):
        _fold_session_start(row, e, e.props)
    if e.device is not None and (
        row["device_at"] is None
        or (e.occurred_at, e.event_id) < (row["device_at"], row["device_event_id"])
    ):  # the device is the one of the session's earliest event that names one
        row.update(
            device_at=e.occurred_at,
            device_event_id=e.event_id,
            browser=e.browser,
            os=e.os,
            device_type=e.device,
        )


def _fold_session_start(row: Row, e: ValidEvent, props: SessionStart) -> None:
    """Client info and location come from the session's earliest session_start."""
    if row["info_at"] is not None and (e.occurred_at, e.event_id) >= (
        row["info_at"],
        row["info_event_id"],
    ):
        return
    info, loc = props.client_info, props.location
    row.update(
        info_at=e.occurred_at,
        info_event_id=e.event_id,
        client_info=orjson.dumps(info).decode() if isinstance(info, dict) else info,
        city=loc.city if loc else None,
        region=loc.region if loc else None,
        country=loc.country if loc else None,
        latitude=loc.latitude if loc else None,
        longitude=loc.longitude if loc else None,
    )


def _new_session(e: ValidEvent) -> Row:
    return {
        **_new_span(e),
        "session_id": e.session_id,
        "end_source": None,
        "end_reason": None,
        "event_count": 0,
        "has_widget": False,
        "has_backend": False,
        "client_info": None,
        "city": None,
        "region": None,
        "country": None,
        "latitude": None,
        "longitude": None,
        "info_at": None,
        "info_event_id": None,
        "browser": None,
        "os": None,
        "device_type": None,
        "device_at": None,
        "device_event_id": None,
    }


def _fold_conversation(row: Row, e: ValidEvent) -> None:
    if _fold_span(row, e):
        row["session_id"] = e.session_id
    fallback = bool(
        e.type == "bot_response" and isinstance(e.props, BotResponse) and e.props.fallback
    )
    if fallback:
        row["fallback_count"] += 1
    if e.is_message and (
        row["last_message_at"] is None
        or (e.occurred_at, e.event_id) > (row["last_message_at"], row["last_message_event_id"])
    ):
        row.update(
            last_message_at=e.occurred_at,
            last_message_event_id=e.event_id,
            ends_on_fallback=fallback,
        )
    if e.type == "conversation_end":
        candidate = (e.occurred_at, e.event_id)
        if row["ended_at"] is None or candidate > (row["ended_at"], row["end_event_id"]):
            row.update(
                ended_at=e.occurred_at,
                end_status=e.properties.get("status"),
                end_event_id=e.event_id,
            )
    names_handover = e.type == "handover_requested" or (
        e.type == "conversation_end" and e.properties.get("status") == "handover"
    )
    row["handover_named"] = row["handover_named"] or names_handover


def _new_conversation(e: ValidEvent) -> Row:
    assert e.conversation_id is not None
    return {
        **_new_span(e),
        "conversation_id": e.conversation_id,
        "session_id": e.session_id,
        "handover_named": False,
        "handover_assigned": False,
        "fallback_count": 0,
        "last_message_at": None,
        "last_message_event_id": None,
        "ends_on_fallback": False,
    }


def _project(
    conn: Connection,
    table: Any,
    key: str,
    grouped: dict[str, list[ValidEvent]],
    new_row: Callable[[ValidEvent], Row],
    fold: Callable[[Row, ValidEvent], None],
) -> None:
    existing = {row[key]: row for row in load(conn, table, table.c[key], grouped)}
    inserts: list[Row] = []
    updates: list[Row] = []
    for span_key, evs in grouped.items():
        row = existing.get(span_key)
        is_new = row is None
        if row is None:
            row = new_row(evs[0])
        for e in evs:
            fold(row, e)
        (inserts if is_new else updates).append(_finish(row))
    save(conn, table, key, inserts, updates)


def _group(
    events: Iterable[ValidEvent], key: Callable[[ValidEvent], str | None]
) -> dict[str, list[ValidEvent]]:
    grouped: dict[str, list[ValidEvent]] = defaultdict(list)
    for e in events:
        k = key(e)
        if k is not None:
            grouped[k].append(e)
    return grouped


def project_sessions(conn: Connection, events: list[ValidEvent]) -> None:
    """Create or widen the session of each event."""
    grouped = _group(events, lambda e: e.session_id)
    _project(conn, sessions, "session_id", grouped, _new_session, _fold_session)


def project_conversations(conn: Connection, events: list[ValidEvent]) -> None:
    """Create or widen the conversation of each event that names one."""
    grouped = _group(events, lambda e: e.conversation_id)
    _project(conn, conversations, "conversation_id", grouped, _new_conversation, _fold_conversation)
