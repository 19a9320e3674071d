"""Run every benchmark and print its tables; the last line is the server/raw ratio per database."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from bench import analytics, databases, load, raw, report, sdk, server
from bench.events import bodies, generate

SEED = 20261126
BATCH = 100
CONCURRENCY = 8
INGEST_DAYS = 3
READ_CALLS = 5


def _size(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if not value:
        return default
    if not value.replace("_", "").isdigit() or int(value) <= 0:
        raise SystemExit(f"{name} must be a positive whole number, got {value!r}")
    return int(value)


def _show_problems(console: Console, name: str, notes: list[str], log: Path) -> None:
    problems = [*notes, *server.log_problems(log)]
    if problems:
        console.print(f"[bold red]{name}: the server reported problems:[/]")
        for line in problems:
            console.print(f"  {line}", highlight=False, markup=False)


def _failed(console: Console, name: str, exc: Exception) -> None:
    console.print(f"[bold red]{name} failed:[/]")
    console.print(str(exc), markup=False, highlight=False)


def _ingest(
    target: databases.Target,
    payloads: list[bytes],
    rows: list[raw.Row],
    workdir: Path,
    console: Console,
) -> report.Ingest:
    log = workdir / f"server-{target.name}.log"
    with server.running(target.url, log) as base_url:
        console.print(f"{target.name}: server ready at {base_url}, sending {len(rows):,} events")
        result = load.send(base_url, payloads, per_body=BATCH, concurrency=CONCURRENCY)
    _show_problems(console, target.name, result.notes, log)
    console.print(f"{target.name}: inserting the same rows into bench_raw")
    raw_per_s = raw.insert_rate(target.url, rows, batch=BATCH)
    return report.Ingest(target.name, len(rows), result, raw_per_s)


def _targets(
    workdir: Path, console: Console, names: list[str], sqlite_file: str
) -> list[databases.Target]:
    """The databases `names` lists, fresh; the servers among them only when they answer."""
    found = [databases.sqlite(workdir, sqlite_file)] if "sqlite" in names else []
    for kind in databases.SERVERS:
        if kind not in names:
            continue
        try:
            found.append(databases.fresh(kind))
        except databases.Unreachable as exc:
            console.print(f"[yellow]{exc}[/]")
    return found


def _analytics(workdir: Path, total: int, console: Console, names: list[str]) -> bool:
    ok = True
    for target in _targets(workdir, console, names, "analytics.db"):
        load_s = analytics.load(target.url, total, seed=SEED + 1, console=console)
        if target.name == "mariadb":
            console.print(analytics.buffer_pool_note(target.url))
        log = workdir / f"server-analytics-{target.name}.log"
        raw_pass = analytics.raw_pass(target.url, calls=READ_CALLS)
        with server.running(target.url, log) as base_url:
            timings = analytics.time_reads(base_url, calls=READ_CALLS)
        table = report.analytics_table(
            timings,
            database=target.name,
            events=total,
            load_s=load_s,
            target_ms=analytics.TARGET_MS,
            raw=raw_pass,
        )
        console.print(table)
        _show_problems(console, "analytics", [e for t in timings for e in t.errors], log)
        ok = ok and not any(t.errors for t in timings)
    return ok


def _sdk(console: Console) -> bool:
    figures = sdk.run()
    table = Table(title="Python SDK: cost of one call on the caller's thread (µs)")
    for column in ("call", "median", "p99"):
        table.add_column(column, justify="right" if column != "call" else "left")
    for name in ("track_alone", "track", "bot_response"):
        table.add_row(
            name, f"{figures[name + '_median_us']:.2f}", f"{figures[name + '_p99_us']:.1f}"
        )
    console.print(table)
    met = figures["track_alone_median_us"] <= figures["goal_median_us"]
    console.print(
        f"SDK events lost in the busy case: {figures['lost']:.0f} (goal 0, enforced); "
        f"track() median goal ≤ {figures['goal_median_us']:.0f} µs "
        f"({'met' if met else 'not met'} on this machine; reported, not enforced: "
        "an absolute time depends on the CPU)"
    )
    return figures["lost"] == 0


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--databases",
        default=",".join(databases.NAMES),
        help="comma-separated databases to measure ingest on (default: all of %(default)s)",
    )
    parser.add_argument(
        "--analytics-databases",
        default=os.environ.get("BENCH_ANALYTICS_DATABASES", ",".join(databases.NAMES)),
        help="comma-separated databases to time the analytics on "
        "(default: BENCH_ANALYTICS_DATABASES, or all of them)",
    )
    parser.add_argument(
        "--ingest-only", action="store_true", help="skip the SDK and analytics benchmarks"
    )
    options = parser.parse_args(argv)
    for option in ("databases", "analytics_databases"):
        names = [n.strip() for n in getattr(options, option).split(",") if n.strip()]
        unknown = sorted(set(names) - set(databases.NAMES))
        if unknown:
            parser.error(f"unknown databases {unknown}; choose from {list(databases.NAMES)}")
        setattr(options, option, names)
    return options


def main(argv: list[str] | None = None) -> int:
    options = _options(argv)
    # Piped into a CI log, rich would assume 80 columns and cut the tables' headings.
    console = Console(width=None if sys.stdout.isatty() else 120)
    started = time.perf_counter()
    total = -(-_size("BENCH_EVENTS", 100_000) // BATCH) * BATCH  # whole requests only
    analytics_total = _size("BENCH_ANALYTICS_EVENTS", 1_000_000)
    ok = True
    results: list[report.Ingest] = []
    with tempfile.TemporaryDirectory(prefix="chatlytics-bench-") as tmp:
        workdir = Path(tmp)
        now = datetime.now(UTC)
        with console.status(f"generating {total:,} events"):
            events = generate(total, seed=SEED, days=INGEST_DAYS, now=now)
            payloads = bodies(events, size=BATCH, sent_at=now)
            rows = raw.rows_of(events, sent_at=now, received_at=now)
        console.print(
            f"generated {total:,} events in {len(payloads):,} requests "
            f"({time.perf_counter() - started:.0f} s)"
        )
        for target in _targets(workdir, console, options.databases, "bench.db"):
            try:
                results.append(_ingest(target, payloads, rows, workdir, console))
            except (server.ServerFailed, sa.exc.SQLAlchemyError) as exc:
                ok = False
                _failed(console, target.name, exc)
        ok = ok and all(r.load.failures == 0 for r in results)
        console.print(report.ingest_table(results, batch=BATCH, concurrency=CONCURRENCY))
        if not options.ingest_only:
            ok = _sdk(console) and ok
            try:
                ok = (
                    _analytics(workdir, analytics_total, console, options.analytics_databases)
                    and ok
                )
            except server.ServerFailed as exc:
                ok = False
                _failed(console, "analytics", exc)
    console.print(f"bench took {time.perf_counter() - started:,.0f} s")
    print(report.ratio_line(results), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
