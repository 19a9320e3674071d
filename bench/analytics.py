"""Read latency: a month of traffic written through the real write path, then the API timed over it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import sqlalchemy as sa
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bench.events import rfc3339, stream
from bench.server import READ_KEY
from chatlytics.analytics import fetch
from chatlytics.events import Rejection, ValidEvent, validate_event
from chatlytics.store.batch import store_batch
from chatlytics.store.database import Database
from chatlytics.store.dialect import refresh_statistics
from chatlytics.store.migrate import upgrade
from chatlytics.store.schema import events, metadata
from chatlytics.store.timing import utcnow

# Every analytics endpoint, with the query beyond `from` that a dashboard would send.
ENDPOINTS: tuple[tuple[str, dict[str, str]], ...] = (
    ("/analytics/", {}),
    ("/analytics/sessions", {}),
    ("/analytics/conversations", {}),
    ("/analytics/messages", {}),
    ("/analytics/leads", {}),
    ("/analytics/human_handover", {}),
    ("/analytics/events", {}),
    ("/analytics/funnel", {}),
    ("/analytics/funnel", {"by": "session", "window": "3600"}),
    ("/analytics/retention", {"period": "week"}),
    ("/analytics/products", {}),
    ("/analytics/opportunities", {}),
    ("/analytics/performance", {}),
    ("/analytics/pain_points", {}),
    ("/analytics/satisfaction", {}),
    ("/analytics/roi", {"cost_per_month": "500", "lead_value": "20"}),
    ("/analytics/capacity", {}),
)
TARGET_MS = 1000  # "well under a second on a million events"
SPAN_DAYS = 28
WINDOW_DAYS = 30
SESSION_TIMEOUT_S = 1800


@dataclass
class Timing:
    """Latencies of one endpoint after its warm-up call, and the errors seen (status and body)."""

    path: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _validated(events: list[dict[str, object]], now: datetime) -> list[ValidEvent]:
    valid = []
    for index, raw in enumerate(events):
        checked = validate_event(index, raw, sent_at=now, received_at=now)
        if isinstance(checked, Rejection):
            raise ValueError(f"generated event {checked.event_id} is invalid: {checked.error}")
        valid.append(checked)
    return valid


def load(url: str, total: int, *, seed: int, console: Console) -> float:
    """Migrate a fresh database and store `total` events in ~5,000-event transactions; returns seconds."""
    db = Database.connect(url)
    now = datetime.now(UTC)
    end = now - timedelta(minutes=30)
    started = time.perf_counter()
    try:
        upgrade(db)
        columns = (
            TextColumn("loading events"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("load", total=total, rate="")
            done = 0
            chunks = stream(total, seed=seed, start=end - timedelta(days=SPAN_DAYS), end=end)
            for chunk in chunks:
                valid = _validated(chunk, now)
                with db.write() as conn:
                    store_batch(conn, valid, [], now=utcnow(), timeout_s=SESSION_TIMEOUT_S)
                done += len(chunk)
                rate = done / (time.perf_counter() - started)
                progress.update(task, completed=done, rate=f"{rate:,.0f} events/s")
        # As a production database has them: autovacuum would analyze the new rows a little later.
        with db.write() as conn:
            refresh_statistics(conn, sorted(metadata.tables))
        if db.dialect == "postgresql":
            _vacuum(db)
    finally:
        db.dispose()
    return time.perf_counter() - started


def _vacuum(db: Database) -> None:
    """VACUUM every table, as PostgreSQL's autovacuum does some time after a bulk insert (13 and
    later count inserts too). Until then the visibility map is empty, and an index-only scan, which
    the funnel and the bot-reply figures rely on, still reads every table row it covers."""
    with db.writer.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in sorted(metadata.tables):
            conn.exec_driver_sql(f'VACUUM "{table}"')


def buffer_pool_note(url: str) -> str:
    """The driver, and the InnoDB cache against the data, which decides whether MariaDB reads from
    memory."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            pool = int(conn.execute(sa.text("SELECT @@innodb_buffer_pool_size")).scalar_one())
            size = conn.execute(
                sa.text(
                    "SELECT SUM(data_length + index_length) FROM information_schema.tables "
                    "WHERE table_schema = DATABASE()"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    mib = 1024 * 1024
    driver = sa.make_url(url).get_driver_name()
    return (
        f"MariaDB through {driver}, innodb_buffer_pool_size {pool // mib:,} MiB for "
        f"{int(size or 0) // mib:,} MiB of data (see docs/configuration.md, Sizing the database "
        "server, and MariaDB drivers)"
    )


@dataclass(frozen=True)
class RawPass:
    """The raw limit of a read: the range's events fetched once, as the database alone gives them."""

    events: int
    median_ms: float


def raw_pass(url: str, *, calls: int) -> RawPass:
    """Median time to fetch the id, type, time, user and session of every event of the last
    WINDOW_DAYS through the driver's cursor: what any figure over the raw log would start from,
    with no grouping, no HTTP and no JSON. Endpoints are printed as a multiple of it."""
    since = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=WINDOW_DAYS)
    e = events.c
    query = sa.select(e.event_id, e.type, e.occurred_at, e.user_id, e.session_id).where(
        e.occurred_at >= since
    )
    db = Database.connect(url)
    latencies = []
    rows = 0
    try:
        with db.read() as conn:
            for _ in range(calls + 1):  # the first call warms the cache, untimed
                started = time.perf_counter()
                rows = len(fetch.tuples(conn, query))
                latencies.append((time.perf_counter() - started) * 1000)
    finally:
        db.dispose()
    timed = sorted(latencies[1:])
    return RawPass(rows, timed[len(timed) // 2])


def time_reads(base_url: str, *, calls: int, warmup: int = 1) -> list[Timing]:
    """Time each endpoint `calls` times over the last WINDOW_DAYS, after `warmup` untimed calls."""
    since = rfc3339(datetime.now(UTC) - timedelta(days=WINDOW_DAYS))
    headers = {"Authorization": f"Bearer {READ_KEY}"}
    timings = []
    with httpx.Client(base_url=base_url, headers=headers, timeout=600) as client:
        for path, extra in ENDPOINTS:
            query = "&".join(f"{k}={v}" for k, v in extra.items())
            timing = Timing(f"{path}?{query}" if query else path)
            for call in range(warmup + calls):
                started = time.perf_counter()
                response = client.get(path, params={"from": since, **extra})
                elapsed_ms = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    timing.errors.append(f"HTTP {response.status_code}: {response.text[:300]}")
                    break
                if call >= warmup:
                    timing.latencies_ms.append(elapsed_ms)
            timings.append(timing)
    return timings
