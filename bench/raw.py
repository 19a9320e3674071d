"""The raw limit: the same rows inserted straight into a bare copy of `events`, 100 per commit.

This is what the database alone can do with the durability unit of one acknowledged request (a batch
of 100 in one committed transaction), with no HTTP, validation, deduplication or projections.
"""

from __future__ import annotations

import time
from datetime import datetime

import sqlalchemy as sa

from bench.events import Event, batches
from chatlytics.events import Rejection, validate_event
from chatlytics.store.batch import event_row
from chatlytics.store.database import Database
from chatlytics.store.schema import events as events_table

Row = dict[str, object]


def rows_of(events: list[Event], *, sent_at: datetime, received_at: datetime) -> list[Row]:
    """Validate and convert as the server does; done before the clock starts."""
    rows = []
    for index, raw in enumerate(events):
        checked = validate_event(index, raw, sent_at=sent_at, received_at=received_at)
        if isinstance(checked, Rejection):
            raise ValueError(f"generated event {checked.event_id} is invalid: {checked.error}")
        rows.append(event_row(checked))
    return rows


def bare_table() -> sa.Table:
    """`events`' columns with event_id as the only key and no secondary indexes."""
    columns = [
        sa.Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
        for c in events_table.columns
    ]
    return sa.Table("bench_raw", sa.MetaData(), *columns)


def insert_rate(url: str, rows: list[Row], *, batch: int) -> float:
    """Events per second for `rows` inserted `batch` rows per committed transaction."""
    db = Database.connect(url)  # the writer engine: SQLite gets the server's WAL + synchronous=FULL
    table = bare_table()
    try:
        with db.write() as conn:
            table.drop(conn, checkfirst=True)
            table.create(conn)
        parts = batches(rows, batch)
        started = time.perf_counter()
        for part in parts:
            with db.write() as conn:
                conn.execute(sa.insert(table), part)
        elapsed = time.perf_counter() - started
    finally:
        db.dispose()
    return len(rows) / elapsed
