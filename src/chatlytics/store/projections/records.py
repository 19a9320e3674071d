"""One row per event for messages, leads, handovers and widget closes (the seed's tables)."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy.engine import Connection

from chatlytics.events import MESSAGE_TYPES, ValidEvent
from chatlytics.events.catalogue import (
    BotResponse,
    HandoverRequested,
    LeadSubmitted,
    Message,
    WidgetClose,
)
from chatlytics.store.bulk import insert_rows
from chatlytics.store.projections.questions import question_key
from chatlytics.store.projections.rows import Row
from chatlytics.store.schema import chatbot_close_events, human_handover, lead_analytics, messages


def _ids(e: ValidEvent) -> Row:
    return {
        "event_id": e.event_id,
        "user_id": e.user_id,
        "session_id": e.session_id,
        "conversation_id": e.conversation_id,
    }


def message_row(e: ValidEvent) -> Row:
    assert isinstance(e.props, Message)
    bot = e.props if isinstance(e.props, BotResponse) else None
    return {
        **_ids(e),
        "message_id": e.props.message_id or e.event_id,
        "message_type": MESSAGE_TYPES[e.type],
        "content": e.props.content,
        "created_at": e.occurred_at,
        "latency_ms": bot.latency_ms if bot else None,
        "fallback": bool(bot and bot.fallback),
        "model": bot.model if bot else None,
        "tokens_in": bot.tokens_in if bot else None,
        "tokens_out": bot.tokens_out if bot else None,
        "cost": bot.cost if bot else None,
        "question_key": question_key(e.props.content) if e.type == "user_message" else None,
        "question_id": None,  # fallbacks: linked to their question (projections/asked.py)
        "abandoned": False,  # until a close says otherwise (projections/abandonment.py)
    }


def lead_row(e: ValidEvent) -> Row:
    assert isinstance(e.props, LeadSubmitted)
    p = e.props
    return {
        **_ids(e),
        "lead_id": p.lead_id or e.event_id,
        "lead_type": p.lead_type,
        "name": p.name,
        "email": p.email,
        "phone": p.phone,
        "page_url": e.page_url,
        "created_at": e.occurred_at,
    }


def handover_row(e: ValidEvent) -> Row:
    assert isinstance(e.props, HandoverRequested)
    p = e.props
    return {
        **_ids(e),
        "conversation_named": e.conversation_id is not None,
        "issues": orjson.dumps(p.issues).decode(),
        "other_text": p.other_text,
        "support_option": p.support_option,
        "last_message": p.last_message,
        "status": "requested",
        "requested_at": e.occurred_at,
    }


def close_row(e: ValidEvent) -> Row:
    assert isinstance(e.props, WidgetClose)
    p = e.props
    return {
        **_ids(e),
        "closed_at": e.occurred_at,
        "time_spent_seconds": p.time_spent_seconds,
        "last_user_message": p.last_user_message,
        "last_bot_message": p.last_bot_message,
    }


RECORDS: dict[str, tuple[Any, Any]] = {
    "user_message": (messages, message_row),
    "bot_response": (messages, message_row),
    "system_message": (messages, message_row),
    "lead_submitted": (lead_analytics, lead_row),
    "handover_requested": (human_handover, handover_row),
    "widget_close": (chatbot_close_events, close_row),
}


def insert_records(conn: Connection, events: list[ValidEvent]) -> None:
    """Insert the per-event rows; each event is new, so plain inserts are exact."""
    batches: dict[str, list[Row]] = {}
    for e in events:
        entry = RECORDS.get(e.type)
        if entry is not None:
            batches.setdefault(entry[0].name, []).append(entry[1](e))
    tables = {table.name: table for table, _ in RECORDS.values()}
    for name, rows in batches.items():
        insert_rows(conn, tables[name], rows)
