"""Proof 2: the database stops for 30 s under load; the collector must answer 503 + Retry-After and
live on, and once the database is back the clients' retries must leave nothing lost or doubled.

The database is a private instance (private.py), never the machine's shared server.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from bench.events import batches, generate
from bench.server import READ_KEY

from faults.audit import Audit, audit
from faults.collector import Collector, running
from faults.databases import with_database
from faults.ledger import Answers, Ledger
from faults.private import PrivateServer, private
from faults.senders import RawSender, SdkSender, split

EVENTS = 12_000
SEED = 3030
BEFORE_S = 8.0  # load before the database stops
OUTAGE_S = 30.0
AFTER_S = 8.0  # load still offered after it is back
RAW_BATCH = 20
SDK_CLIENTS = 2
PROBE_EVERY_S = 0.5
FINISH_TIMEOUT_S = 240.0
PROBES = ("/healthz", "/readyz", "/analytics/messages")


@dataclass
class Probes:
    """A watcher's view during the whole run: is the process alive, how do other routes answer."""

    died: bool = False
    checks: int = 0
    statuses: dict[str, Counter[int]] = field(
        default_factory=lambda: {p: Counter() for p in PROBES}
    )
    failures: list[str] = field(default_factory=list)

    @property
    def other_5xx(self) -> int:
        return sum(n for c in self.statuses.values() for s, n in c.items() if s >= 500 and s != 503)


@dataclass
class OutageResult:
    database: str
    audit: Audit
    answers: Answers
    probes: Probes
    outage_s: float
    sdk_failed: int
    seconds: float
    crashes: int


def _watch(collector: Collector, probes: Probes, stop: threading.Event) -> None:
    headers = {"Authorization": f"Bearer {READ_KEY}"}
    with httpx.Client(base_url=collector.base_url, headers=headers, timeout=10) as http:
        while not stop.wait(PROBE_EVERY_S):
            probes.checks += 1
            if not collector.alive():
                probes.died = True
                return
            for path in PROBES:
                try:
                    response = http.get(path)
                except httpx.TransportError as exc:
                    probes.failures.append(f"{path}: {exc!r}")
                    continue
                probes.statuses[path][response.status_code] += 1
                if response.status_code == 503 and not response.headers.get("retry-after"):
                    probes.failures.append(f"{path}: 503 without Retry-After")


def _crashes(log: Path) -> int:
    """Requests that ended in an unhandled exception (uvicorn logs each one with this line)."""
    return log.read_text(errors="replace").count("Exception in ASGI application")


def _load_and_outage(
    server: PrivateServer, url: str, log: Path, ledger: Ledger, answers: Answers
) -> tuple[Probes, float, int]:
    events = generate(EVENTS, seed=SEED, days=1, now=datetime.now(UTC))
    raw_share, *sdk_shares = split(events, 1 + SDK_CLIENTS)
    span = BEFORE_S + OUTAGE_S + AFTER_S
    probes, stop = Probes(), threading.Event()
    with running(url, log) as collector:
        raw_batches = batches(raw_share, RAW_BATCH)
        raw = RawSender(
            collector.base_url, raw_batches, ledger, answers, period_s=span / len(raw_batches)
        )
        sdks = [
            SdkSender(collector.base_url, share, ledger, answers, period_s=span / len(share))
            for share in sdk_shares
        ]
        watcher = threading.Thread(target=_watch, args=(collector, probes, stop), daemon=True)
        watcher.start()
        raw.start()
        for sdk in sdks:
            sdk.start()
        time.sleep(BEFORE_S)
        stopped = time.monotonic()
        server.stop()
        time.sleep(OUTAGE_S)
        server.start()  # returns once the database accepts connections again
        outage = time.monotonic() - stopped
        raw.join(FINISH_TIMEOUT_S)
        failed = sum(sdk.finish(FINISH_TIMEOUT_S).failed for sdk in sdks)
        stop.set()
        watcher.join()
        if not collector.alive():
            probes.died = True
    return probes, outage, failed


def run(kind: str, workdir: Path) -> OutageResult:
    started = time.monotonic()
    ledger, answers = Ledger(), Answers()
    log = workdir / f"outage-{kind}.log"
    # Not under workdir: the postgres user must be able to reach its own directory.
    with tempfile.TemporaryDirectory(prefix=f"chatlytics-faults-{kind}-") as tmp:
        server = private(kind, Path(tmp))
        server.start()
        try:
            url = with_database(server.url, kind)
            probes, outage, failed = _load_and_outage(server, url, log, ledger, answers)
            result = audit(url, ledger)
        finally:
            server.close()
    return OutageResult(
        database=kind,
        audit=result,
        answers=answers,
        probes=probes,
        outage_s=outage,
        sdk_failed=failed,
        seconds=time.monotonic() - started,
        crashes=_crashes(log),
    )
