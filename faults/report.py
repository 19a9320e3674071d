"""The printed figures of `make faults`."""

from __future__ import annotations

from rich.table import Table

from faults.kill9 import KILL_AT, Kill9Result
from faults.outage import OutageResult


def _mark(result: Kill9Result | OutageResult) -> str:
    return "[bold red]FAIL[/]" if problems(result) else "[green]ok[/]"


def kill9_table(results: list[Kill9Result]) -> Table:
    table = Table(title="kill -9 mid-load: the collector killed and restarted on the same database")
    columns = ["database", "sent", "by SDK", "acked", "stored", "lost", "duplicated"]
    columns += ["acked, not stored", "cut off", "dup. on retry", "kills at", "s", ""]
    for column in columns:
        table.add_column(column, justify="left" if column in ("database", "kills at") else "right")
    for r in results:
        a = r.audit
        table.add_row(
            r.database,
            f"{a.sent:,}",
            f"{r.sdk_sent:,}",
            f"{a.acked:,}",
            f"{a.stored:,}",
            f"{a.lost:,}",
            f"{a.duplicated:,}",
            f"{a.acked_lost:,}",
            f"{r.answers.network_errors:,}",
            f"{r.answers.duplicates:,}",
            ", ".join(f"{acked / max(1, a.sent):.0%}" for acked in r.kills) + " acked",
            f"{r.seconds:.0f}",
            _mark(r),
        )
    return table


def outage_table(results: list[OutageResult]) -> Table:
    table = Table(
        title="Database stopped under load (private instance): 503 + Retry-After, then recovery"
    )
    columns = [
        "database",
        "sent",
        "acked",
        "503s seen",
        "other 5xx",
        "stored",
        "lost",
        "duplicated",
    ]
    columns += ["outage s", "alive", "readyz 503", "analytics 503", "s", ""]
    for column in columns:
        table.add_column(column, justify="left" if column == "database" else "right")
    for r in results:
        a, p = r.audit, r.probes
        table.add_row(
            r.database,
            f"{a.sent:,}",
            f"{a.acked:,}",
            f"{r.answers.count(503):,}",
            f"{r.answers.other_5xx + p.other_5xx:,}",
            f"{a.stored:,}",
            f"{a.lost:,}",
            f"{a.duplicated:,}",
            f"{r.outage_s:.1f}",
            "no" if p.died else f"yes ({p.checks} checks)",
            f"{p.statuses['/readyz'][503]:,}",
            f"{p.statuses['/analytics/messages'][503]:,}",
            f"{r.seconds:.0f}",
            _mark(r),
        )
    return table


def problems(result: Kill9Result | OutageResult) -> list[str]:
    """Every reason a proof failed, one line each."""
    found = result.audit.problems()
    found += result.answers.contract_breaches[:5]
    if result.answers.without_retry_after:
        found.append(f"{result.answers.without_retry_after} 503/429 answers without Retry-After")
    if result.answers.other_5xx:
        found.append(f"server errors other than 503: {dict(result.answers.statuses)}")
    if result.sdk_failed:
        found.append(f"the SDK gave up on {result.sdk_failed} events")
    if isinstance(result, Kill9Result):
        if len(result.kills) != len(KILL_AT):
            found.append(f"{len(result.kills)} kills instead of {len(KILL_AT)}")
        if any(acked >= result.audit.sent for acked in result.kills):
            found.append("a kill landed after the load was done: nothing was in flight")
    if isinstance(result, OutageResult):
        found += result.probes.failures[:5]
        if result.probes.died:
            found.append("the collector process died during the outage")
        if result.probes.other_5xx:
            found.append(f"probes saw server errors other than 503: {result.probes.statuses}")
        if not result.answers.count(503):
            found.append("no 503 was seen: the outage did not reach the senders")
        if result.crashes:
            found.append(f"{result.crashes} requests crashed (see the collector's log)")
    return found
