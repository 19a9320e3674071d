"""Retention: delete what is older than EVENT_RETENTION_DAYS, in small transactions.

The rule is by event: every raw event that occurred before the cutoff goes, with what it projected; a
session or conversation still going at the cutoff keeps its later events and is re-derived from them;
users are re-derived from their remaining events, and go when none is left. Refused events go by the
time they were received. The erasure audit records and the API keys are kept.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Connection

from chatlytics.context import AppContext
from chatlytics.lifecycle.transactions import write_retrying
from chatlytics.settings import Settings
from chatlytics.store.database import Database
from chatlytics.store.retention import expired_events, purge_failed, remove_events
from chatlytics.store.timing import utcnow

BATCH_EVENTS = 5_000
# Between batches: longer than SQLite's longest busy-handler sleep (100 ms), so a waiting ingest
# writer always gets the lock before the next batch takes it.
PAUSE_S = 0.25
FIRST_RUN_AFTER_S = 60.0
EVERY_S = 24 * 3600.0
log = logging.getLogger(__name__)


@dataclass
class RetentionReport:
    """What one run removed, per table, and in how many transactions."""

    cutoff: datetime
    removed: Counter[str] = field(default_factory=Counter)
    batches: int = 0


def run_retention(
    db: Database,
    *,
    days: int,
    timeout_s: int,
    now: datetime | None = None,
    batch_size: int = BATCH_EVENTS,
    pause_s: float = 0.0,
    stop: threading.Event | None = None,
) -> RetentionReport:
    """Delete everything older than `days` before `now`, `batch_size` events per transaction."""
    now = now or utcnow()
    report = RetentionReport(cutoff=now - timedelta(days=days))

    def batch(conn: Connection) -> tuple[Counter[str], bool]:
        gone = expired_events(conn, report.cutoff, batch_size)
        counts = remove_events(conn, gone, now=now, timeout_s=timeout_s)
        failed = purge_failed(conn, report.cutoff, batch_size)
        counts["failed_events"] += failed
        return counts, bool(gone) or failed > 0

    while stop is None or not stop.is_set():
        counts, more = write_retrying(db, batch)
        if not more:
            break
        report.removed.update(counts)
        report.batches += 1
        if pause_s:
            time.sleep(pause_s)
    return report


def run_configured(
    db: Database, settings: Settings, *, pause_s: float = 0.0, stop: threading.Event | None = None
) -> RetentionReport:
    """`run_retention` with EVENT_RETENTION_DAYS and SESSION_TIMEOUT_MINUTES."""
    return run_retention(
        db,
        days=settings.event_retention_days,
        timeout_s=settings.session_timeout_minutes * 60,
        pause_s=pause_s,
        stop=stop,
    )


async def retention_loop(
    ctx: AppContext, *, first_run_after: float = FIRST_RUN_AFTER_S, every: float = EVERY_S
) -> None:
    """Run retention `first_run_after` seconds after start, then every `every` seconds, until
    cancelled. A failed run is logged and tried again at the next turn."""
    stop = threading.Event()
    try:
        await asyncio.sleep(first_run_after)
        while True:
            try:
                report = await asyncio.to_thread(
                    run_configured, ctx.db, ctx.settings, pause_s=PAUSE_S, stop=stop
                )
            except Exception:
                log.exception("retention run failed; next attempt in %.0f s", every)
            else:
                log.info(
                    "retention: removed %s from before %s in %d batches",
                    dict(report.removed) or "nothing",
                    f"{report.cutoff:%Y-%m-%d %H:%M:%S}",
                    report.batches,
                )
            await asyncio.sleep(every)
    finally:
        stop.set()  # a batch still running on its thread finishes, and no other starts
