"""Rows written through the compiled statements read back exactly as SQLAlchemy's own executemany's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from chatlytics.store.bulk import insert_rows, insert_values, update_rows
from chatlytics.store.database import Database
from chatlytics.store.schema import conversations

AT = datetime(2026, 11, 26, 10, 0, 5, 120_345)


def conversation(cid: str, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "conversation_id": cid,
        "session_id": "s",
        "user_id": "ü-1",
        "started_at": AT,
        "first_event_id": "e1",
        "last_event_at": AT.replace(microsecond=999_999),
        "ended_at": None,
        "end_status": None,
        "end_event_id": None,
        "handover_named": True,
        "handover_assigned": False,
        "duration_seconds": None,
        "active_seconds": 0,
        "message_count": 2,
        "user_message_count": 1,
        "bot_message_count": 1,
        "fallback_count": 0,
    }
    row.update(changes)
    return row


def read(db: Database, prefix: str) -> list[tuple[Any, ...]]:
    c = conversations.c
    query = sa.select(conversations).where(c.conversation_id.like(prefix + "%"))
    with db.read() as conn:
        return [tuple(row)[1:] for row in conn.execute(query.order_by(c.conversation_id))]


def test_inserts_and_updates_match_sqlalchemy(db: Database) -> None:
    rows = [conversation("c1"), conversation("c2", ended_at=AT, end_status="completed")]
    with db.write() as conn:
        insert_rows(
            conn,
            conversations,
            [{**r, "conversation_id": "a" + r["conversation_id"]} for r in rows],
        )
        conn.execute(
            sa.insert(conversations),
            [{**r, "conversation_id": "b" + r["conversation_id"]} for r in rows],
        )
    assert read(db, "a") == read(db, "b")
    assert len(read(db, "a")) == 2
    change = {"duration_seconds": 7, "handover_assigned": True, "ended_at": AT.replace(year=2027)}
    with db.write() as conn:
        update_rows(conn, conversations, "conversation_id", [conversation("ac1", **change)])
        statement = sa.update(conversations).where(conversations.c.conversation_id == "bc1")
        conn.execute(statement, {**conversation("bc1", **change), "conversation_id": "bc1"})
    assert read(db, "a") == read(db, "b")
    assert read(db, "a")[0][9:12] == (True, 7, 0)


def test_every_row_must_have_the_first_row_s_columns(sqlite_only: None, db: Database) -> None:
    with db.write() as conn, pytest.raises(KeyError):
        insert_rows(conn, conversations, [{"conversation_id": "x"}, {"session_id": "s"}])


def test_none_is_stored_as_null(db: Database) -> None:
    c = conversations.c
    with db.write() as conn:
        insert_rows(conn, conversations, [conversation("n1")])
        query = sa.select(sa.func.count()).where(c.conversation_id == "n1", c.ended_at.is_(None))
        assert conn.execute(query).scalar_one() == 1


def test_tuples_in_any_column_order_match_rows(db: Database) -> None:
    row = conversation("t1", ended_at=AT, handover_assigned=True)
    columns = tuple(reversed(row))
    with db.write() as conn:
        insert_values(conn, conversations, columns, [tuple(row[c] for c in columns)])
        insert_rows(conn, conversations, [{**row, "conversation_id": "t2"}])
    first, second = read(db, "t")
    assert first == second
