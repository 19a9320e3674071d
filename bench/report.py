"""Tables for the console and the one plain line that CI and people grep for."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich.table import Table

from bench.analytics import RawPass, Timing
from bench.load import LoadResult


@dataclass(frozen=True)
class Ingest:
    """One database's ingest figures: through the server, and straight into the bare table."""

    database: str
    events: int
    load: LoadResult
    raw_per_s: float

    @property
    def ratio(self) -> float:
        return self.load.events_per_s / self.raw_per_s if self.raw_per_s else 0.0


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ingest_table(results: list[Ingest], *, batch: int, concurrency: int) -> Table:
    table = Table(title=f"Ingest: batches of {batch}, {concurrency} requests in flight")
    for heading in (
        "database",
        "events",
        "server ev/s",
        "raw ev/s",
        "ratio",
        "p50 ms",
        "p99 ms",
        "failed",
    ):
        table.add_column(heading, justify="left" if heading == "database" else "right")
    for r in results:
        table.add_row(
            r.database,
            f"{r.events:,}",
            f"{r.load.events_per_s:,.0f}",
            f"{r.raw_per_s:,.0f}",
            f"{r.ratio:.2f}",
            f"{percentile(r.load.latencies_ms, 0.5):.1f}",
            f"{percentile(r.load.latencies_ms, 0.99):.1f}",
            f"{r.load.failures}/{r.load.requests}",
        )
    return table


def analytics_table(
    timings: list[Timing],
    *,
    database: str,
    events: int,
    load_s: float,
    target_ms: float,
    raw: RawPass,
) -> Table:
    """One row per endpoint; `/ raw pass` is its median over the time the database alone takes to
    hand over the range's events once: a ratio that depends less on the machine than a time."""
    table = Table(
        title=f"Analytics: {database}, {events:,} events (loaded in {load_s:,.0f} s), last 30 days",
        caption=f"raw pass: {raw.events:,} events of the range fetched in {raw.median_ms:,.0f} ms",
    )
    headings = ("endpoint", "calls", "median ms", "p95 ms", "/ raw pass", f"≤ {target_ms} ms")
    for heading in (*headings, "error"):
        table.add_column(heading, justify="left" if heading in ("endpoint", "error") else "right")
    for t in timings:
        median = percentile(t.latencies_ms, 0.5)
        table.add_row(
            t.path,
            str(len(t.latencies_ms)),
            f"{median:.1f}",
            f"{percentile(t.latencies_ms, 0.95):.1f}",
            f"{median / raw.median_ms:.2f}" if raw.median_ms else "",
            "" if t.errors else ("yes" if median <= target_ms else "[red]no[/]"),
            t.errors[0] if t.errors else "",
        )
    return table


def ratio_line(results: list[Ingest]) -> str:
    """`ratio sqlite=0.42 postgresql=0.37 mariadb=0.31`: the last line of every run."""
    return "ratio " + " ".join(f"{r.database}={r.ratio:.2f}" for r in results)
