"""`make faults`: kill -9 mid-load (SQLite, PostgreSQL, MariaDB) and a 30 s database outage
(private PostgreSQL and MariaDB); prints the figures, then one summary line; exits 1 if a proof fails.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from rich.console import Console

from faults import databases, kill9, outage, report

# CI sets this so that a server that cannot be reached fails the proof instead of skipping it.
REQUIRED = os.environ.get("CHATLYTICS_REQUIRE_BACKENDS") == "1"
Result = TypeVar("Result", kill9.Kill9Result, outage.OutageResult)


def _attempt(
    console: Console, name: str, proof: Callable[[], Result], failures: list[str]
) -> Result | None:
    """Run one proof; a database that is not there is a skip, unless backends are required."""
    console.print(f"[bold]{name}[/] ...")
    try:
        result = proof()
    except databases.Unreachable as exc:
        note = f"{name}: skipped, {exc}"
        console.print(f"[yellow]{note}[/]")
        if REQUIRED:
            failures.append(f"{note} (CHATLYTICS_REQUIRE_BACKENDS=1)")
        return None
    except Exception as exc:  # one proof's crash must not hide the others' figures
        failures.append(f"{name}: crashed: {exc!r}")
        console.print_exception()
        return None
    failures.extend(f"{name}: {line}" for line in report.problems(result))
    return result


def _kill9_on(kind: str, workdir: Path) -> kill9.Kill9Result:
    if kind == "sqlite":
        return kill9.run(kind, databases.sqlite_url(workdir), workdir)
    url = databases.fresh_shared(kind)
    try:
        return kill9.run(kind, url, workdir)
    finally:
        databases.drop_shared(kind)


def main() -> int:
    console = Console(width=None if sys.stdout.isatty() else 160)
    started = time.monotonic()
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="chatlytics-faults-") as tmp:
        workdir = Path(tmp)
        killed = [
            _attempt(console, f"kill -9 on {kind}", partial(_kill9_on, kind, workdir), failures)
            for kind in ("sqlite", "postgresql", "mariadb")
        ]
        stopped = [
            _attempt(console, f"outage of {kind}", partial(outage.run, kind, workdir), failures)
            for kind in ("postgresql", "mariadb")
        ]
        console.print(report.kill9_table([r for r in killed if r is not None]))
        console.print(report.outage_table([r for r in stopped if r is not None]))
    for line in failures:
        console.print(f"[bold red]FAIL[/] {line}", highlight=False)
    ran = sum(r is not None for r in [*killed, *stopped])
    verdict = "FAILED" if failures else "passed"
    print(
        f"faults: {verdict}: {ran} of 5 proofs ran, {len(failures)} problems, "
        f"{time.monotonic() - started:.0f} s",
        flush=True,
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
