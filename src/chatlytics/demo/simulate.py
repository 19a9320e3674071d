"""`chatlytics simulate`: seeded virtual visitors on the running demo, spread over some minutes.

Every visitor is played over the network as a browser would (see `visitor` and `widget`): the chat
server's events therefore come from the demo's own SDK, the widget's from HTTP requests to the
collector. The returned `Summary` counts what the visitors did, so it can be checked against the
analytics API (docs/demo.md says which figure each count must equal).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import httpx
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from chatlytics.demo.catalogue import default_catalogue
from chatlytics.demo.plan import VisitorPlan, plan_visitors
from chatlytics.demo.visitor import Tally, Visit
from chatlytics.demo.widget import Delivery, SimulationError, TrackerConfig, Widget, tracker_config

CONCURRENCY = 64
HTTP_TIMEOUT_S = 30.0
KEPT_FAILURES = 5


@dataclass(frozen=True)
class Summary:
    """What a simulation did, counted from its own actions and from the collector's answers."""

    visitors: int
    page_views: int
    navigations: int
    widget_opens: int
    widget_closes: int
    chat_sessions: int
    conversations: int
    handover_conversations: int
    questions: int
    replies: int
    fallbacks: int
    product_interest: int
    feedback: int
    leads: int
    handovers: int
    events_sent: int
    events_accepted: int
    events_rejected: int
    failed_visitors: int
    failures: tuple[str, ...]
    seconds: float


@dataclass(frozen=True)
class Simulation:
    """What to simulate: `users` visitors of seed `seed` on `demo`, spread over `minutes` (0: at once).

    The collector and the write key default to those of the demo page's tracker tag.
    """

    users: int
    minutes: float
    seed: int
    demo: str
    collector: str | None = None
    write_key: str | None = None


async def simulate(run: Simulation, progress: Progress | None = None) -> Summary:
    """Play every visitor of `run`; returns what they did once the last one has left."""
    demo = run.demo.rstrip("/")
    plans = plan_visitors(run.users, run.seed, default_catalogue())
    tally, delivery, failures = Tally(), Delivery(), []
    limits = httpx.Limits(max_connections=CONCURRENCY * 2)
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_S, limits=limits) as http:
        config = await _config(http, demo, run.collector, run.write_key)
        gate = asyncio.Semaphore(CONCURRENCY)
        task = progress.add_task("visitors", total=run.users, stats="") if progress else None

        async def one(plan: VisitorPlan) -> None:
            try:
                await _play(plan, run.minutes * 60, gate, demo, http, config, tally, delivery)
            except (SimulationError, httpx.HTTPError, OSError, TimeoutError, ValueError) as exc:
                # websockets' errors are OSError or ValueError subclasses (ConnectionClosed, ...).
                failures.append(f"visitor {plan.number}: {type(exc).__name__}: {exc}")
            if progress is not None and task is not None:
                progress.update(task, advance=1, stats=_stats(tally, delivery))

        await asyncio.gather(*(one(plan) for plan in plans))
    return Summary(
        visitors=tally.visitors,
        page_views=tally.page_views,
        navigations=tally.navigations,
        widget_opens=tally.widget_opens,
        widget_closes=tally.widget_closes,
        chat_sessions=tally.chat_sessions,
        conversations=len(tally.conversations),
        handover_conversations=len(tally.handover_conversations),
        questions=tally.questions,
        replies=tally.replies,
        fallbacks=tally.fallbacks,
        product_interest=tally.product_interest,
        feedback=tally.feedback,
        leads=tally.leads,
        handovers=tally.handovers,
        events_sent=delivery.sent,
        events_accepted=delivery.accepted,
        events_rejected=delivery.rejected,
        failed_visitors=len(failures),
        failures=tuple(sorted(failures)[:KEPT_FAILURES]),
        seconds=round(time.monotonic() - started, 3),
    )


async def _config(
    http: httpx.AsyncClient, demo: str, collector: str | None, write_key: str | None
) -> TrackerConfig:
    """The collector and key from the options, else from the demo page, as a browser gets them."""
    if collector and write_key:
        return TrackerConfig(collector.rstrip("/"), write_key)
    try:
        response = await http.get(demo + "/")
    except httpx.HTTPError as exc:
        raise SimulationError(f"the demo at {demo} is not reachable: {exc}") from None
    if response.status_code != 200:
        raise SimulationError(f"GET {demo}/ answered {response.status_code}")
    found = tracker_config(response.text)
    return TrackerConfig((collector or found.collector).rstrip("/"), write_key or found.write_key)


async def _play(
    plan: VisitorPlan,
    span_s: float,
    gate: asyncio.Semaphore,
    demo: str,
    http: httpx.AsyncClient,
    config: TrackerConfig,
    tally: Tally,
    delivery: Delivery,
) -> None:
    """Wait for the visitor's arrival, then play the plan with its pauses scaled to the window."""
    length = min(plan.length_s, span_s)
    await asyncio.sleep(plan.arrival * (span_s - length))
    weights = sum(plan.pauses)
    delays = [weight / weights * length for weight in plan.pauses]
    async with gate:
        widget = Widget(
            http,
            config,
            delivery,
            user_agent=plan.user_agent,
            origin=demo,
            address=plan.address,
        )
        await Visit(plan, demo, http, widget, tally).run(delays)


def _stats(tally: Tally, delivery: Delivery) -> str:
    return (
        f"{tally.questions} questions · {tally.leads} leads · {tally.handovers} handovers · "
        f"{delivery.sent} widget events"
    )


def run_simulation(run: Simulation, console: Console | None = None) -> Summary:
    """`simulate()` with a progress bar on `console`; blocks until every visitor has left."""
    columns = (
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[stats]}"),
    )
    with Progress(*columns, console=console or Console(stderr=True)) as progress:
        return asyncio.run(simulate(run, progress))
