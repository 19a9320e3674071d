"""Proof 1: `kill -9` the collector four times during a load, restart it each time on the same
database, and let the senders retry.

Afterwards every acknowledged event must be stored exactly once, and every sent event stored.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.events import batches, generate

from faults.audit import Audit, audit
from faults.collector import running
from faults.ledger import Answers, Ledger
from faults.senders import RawSender, SdkSender, split

EVENTS = 24_000
SEED = 50905
KILL_AT = (0.2, 0.4, 0.6, 0.8)  # fractions of the load acknowledged when the collector is killed
DOWN_S = 1.0  # the collector stays dead this long before it is started again
RAW_BATCH = 50
RAW_WORKERS = 4
SDK_CLIENTS = 2
FINISH_TIMEOUT_S = 240.0


@dataclass
class Kill9Result:
    database: str
    audit: Audit
    answers: Answers
    kills: list[int]  # how many events were acknowledged when each kill landed
    sdk_sent: int
    sdk_failed: int
    seconds: float


def _wait_for(ledger: Ledger, acked: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while ledger.acked_count < acked and time.monotonic() < deadline:
        time.sleep(0.01)


def run(name: str, database_url: str, workdir: Path) -> Kill9Result:
    started = time.monotonic()
    events = generate(EVENTS, seed=SEED, days=1, now=datetime.now(UTC))
    raw_share, *sdk_shares = split(events, 1 + SDK_CLIENTS)
    ledger, answers = Ledger(), Answers()
    kills: list[int] = []
    with running(database_url, workdir / f"kill9-{name}.log") as collector:
        raw = RawSender(
            collector.base_url, batches(raw_share, RAW_BATCH), ledger, answers, workers=RAW_WORKERS
        )
        sdks = [SdkSender(collector.base_url, share, ledger, answers) for share in sdk_shares]
        raw.start()
        for sdk in sdks:
            sdk.start()
        for fraction in KILL_AT:
            _wait_for(ledger, int(fraction * len(events)), timeout=120)
            collector.kill9()
            kills.append(ledger.acked_count)
            time.sleep(DOWN_S)
            collector.start()
        raw.join(FINISH_TIMEOUT_S)
        counts = [sdk.finish(FINISH_TIMEOUT_S) for sdk in sdks]
    return Kill9Result(
        database=name,
        audit=audit(database_url, ledger),
        answers=answers,
        kills=kills,
        sdk_sent=sum(c.sent for c in counts),
        sdk_failed=sum(c.failed for c in counts),
        seconds=time.monotonic() - started,
    )
