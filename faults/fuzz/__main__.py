"""`make fuzz`: on SQLite and on the shared PostgreSQL and MariaDB (a fresh database each), a live
collector with the legacy routes on is fuzzed by Hypothesis on POST /v1/events bodies, with injection
strings, at the edges of the contract and of every parameter, and by schemathesis on every route;
then Hypothesis on the validator in process.

Prints cases, 5xx and 4xx without a reason per part, every distinct problem with its smallest
reproduction, a line per database (cases run, 5xx seen, seconds) and one summary line; exits 1 on
any problem, if fewer than 10,000 cases ran, or (with CHATLYTICS_REQUIRE_BACKENDS=1) if a database
was not reachable.
FUZZ_SEED replays a run; FUZZ_SCALE multiplies the number of generated cases.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from bench.events import bodies, generate
from bench.load import BROWSER
from bench.server import WRITE_KEY
from rich.console import Console
from rich.table import Table

from faults import databases
from faults.collector import running
from faults.fuzz.api import fuzz_api
from faults.fuzz.bodies import fuzz_bodies
from faults.fuzz.edges import fuzz_edges
from faults.fuzz.injection import fuzz_injection
from faults.fuzz.tally import Tally
from faults.fuzz.validator import fuzz_validator

REQUIRED = os.environ.get("CHATLYTICS_REQUIRE_BACKENDS") == "1"
KINDS = ("sqlite", "postgresql", "mariadb")
FUZZ_DATABASE = "chatlytics_fuzz"
MIN_CASES = 10_000
BODY_EXAMPLES = 2_000
API_EXAMPLES = 80  # per operation, mode and key
VALIDATOR_EXAMPLES = 3_000
SEED_EVENTS = 2_000  # real traffic first, so that the analytics routes have rows to work on


def _scaled(examples: int) -> int:
    return max(1, round(examples * float(os.environ.get("FUZZ_SCALE", "1"))))


def _seed_traffic(base_url: str) -> None:
    now = datetime.now(UTC)
    headers = {"Authorization": f"Bearer {WRITE_KEY}", "User-Agent": BROWSER}
    with httpx.Client(base_url=base_url, timeout=60, headers=headers) as http:
        for body in bodies(generate(SEED_EVENTS, seed=7, days=1, now=now), size=100, sent_at=now):
            http.post("/v1/events", content=body).raise_for_status()


def _on(kind: str, url: str, workdir: Path, random_seed: int, console: Console) -> list[Tally]:
    log = workdir / f"fuzz-{kind}.log"
    with running(url, log, {"CHATLYTICS_LEGACY_ROUTES": "true"}) as collector:
        _seed_traffic(collector.base_url)
        console.print(f"{kind}: POST /v1/events bodies ...")
        found = [
            fuzz_bodies(
                collector.base_url, examples=_scaled(BODY_EXAMPLES), random_seed=random_seed
            )
        ]
        console.print(f"{kind}: injection strings ...")
        found.append(fuzz_injection(collector.base_url, url))
        console.print(f"{kind}: the edges of the contract and of every parameter ...")
        found.append(fuzz_edges(collector.base_url))
        console.print(f"{kind}: schemathesis on every route ...")
        found.append(
            fuzz_api(collector.base_url, examples=_scaled(API_EXAMPLES), random_seed=random_seed)
        )
        alive = collector.alive()
    for tally in found:
        tally.part = f"{kind}: {tally.part}"
    if not alive:
        found[-1].fail("the collector died during the fuzzing", f"see {log}")
    return found


def _backend(
    kind: str, workdir: Path, random_seed: int, console: Console, notes: list[str]
) -> list[Tally]:
    if kind == "sqlite":
        return _on(kind, databases.sqlite_url(workdir, "fuzz.db"), workdir, random_seed, console)
    try:
        url = databases.fresh_shared(kind, FUZZ_DATABASE)
    except databases.Unreachable as exc:
        notes.append(f"{kind}: skipped, {exc}")
        return []
    try:
        return _on(kind, url, workdir, random_seed, console)
    finally:
        databases.drop_shared(kind, FUZZ_DATABASE)


def _table(tallies: list[Tally]) -> Table:
    table = Table(
        title="Fuzzing: every answer below 500, every 4xx with a reason, every invariant kept"
    )
    for column in ("part", "cases", "5xx", "4xx without a reason", "other failures", "statuses"):
        table.add_column(column, justify="left" if column in ("part", "statuses") else "right")
    for t in tallies:
        statuses = " ".join(f"{s}:{n}" for s, n in sorted(t.statuses.items()))
        table.add_row(
            t.part, f"{t.cases:,}", f"{t.server_errors:,}", f"{t.unexplained_4xx:,}",
            f"{t.other_failures:,}", statuses,
        )  # fmt: skip
    return table


def _where(tally: Tally) -> str:
    """The database a part ran on, or "in process" for the validator."""
    kind = tally.part.partition(": ")[0]
    return kind if kind in KINDS else "in process"


def main() -> int:
    console = Console(width=None if sys.stdout.isatty() else 160)
    started = time.monotonic()
    random_seed = int(os.environ.get("FUZZ_SEED") or random.randrange(2**32))
    console.print(f"fuzz seed {random_seed} (FUZZ_SEED={random_seed} replays this run)")
    notes: list[str] = []
    tallies: list[Tally] = []
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="chatlytics-fuzz-") as tmp:
        for kind in KINDS:
            began = time.monotonic()
            try:
                tallies += _backend(kind, Path(tmp), random_seed, console, notes)
            except Exception as exc:  # one database's crash must not hide the others' figures
                console.print_exception()
                crashed = Tally(f"{kind}: the fuzzing itself")
                crashed.fail(f"crashed: {exc!r}"[:200], "see the traceback above")
                tallies.append(crashed)
            seconds[kind] = time.monotonic() - began
        console.print("validate_event in process ...")
        began = time.monotonic()
        tallies.append(
            fuzz_validator(examples=_scaled(VALIDATOR_EXAMPLES), random_seed=random_seed)
        )
        seconds["in process"] = time.monotonic() - began
    console.print(_table(tallies))
    for tally in tallies:
        for signature, problem in tally.problems.items():
            console.print("PROBLEM", style="bold red", end=" ")
            console.print(
                f"{tally.part}: {signature} (x{problem.count})", highlight=False, markup=False
            )
            console.print(f"    {problem.repro}", highlight=False, markup=False, soft_wrap=True)
    for note in notes:
        console.print(f"[yellow]{note}[/]")
    for where, took in seconds.items():
        mine = [t for t in tallies if _where(t) == where]
        print(
            f"fuzz {where}: {sum(t.cases for t in mine):,} cases run, "
            f"{sum(t.server_errors for t in mine):,} 5xx seen, "
            f"{sum(t.failures for t in mine):,} failures, {took:.0f} s",
            flush=True,
        )
    cases = sum(t.cases for t in tallies)
    failures = sum(t.failures for t in tallies)
    short = cases < MIN_CASES
    failed = failures > 0 or short or (REQUIRED and bool(notes))
    print(
        f"fuzz: {'FAILED' if failed else 'passed'}: {cases:,} cases run"
        f"{f' (fewer than {MIN_CASES:,})' if short else ''}, "
        f"{sum(t.server_errors for t in tallies):,} 5xx seen, "
        f"{sum(t.unexplained_4xx for t in tallies):,} 4xx without a reason seen, "
        f"{sum(t.other_failures for t in tallies):,} other failures, "
        f"seed {random_seed}, {time.monotonic() - started:.0f} s",
        flush=True,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
