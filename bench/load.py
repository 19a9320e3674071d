"""The load generator: a separate process with 8 requests in flight, timing each request.

It runs in its own process so that the client's CPU is not the server's: both are measured as a real
deployment would see them (sender and collector on different interpreters).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import httpx
import orjson

from bench.server import WRITE_KEY

BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
MAX_FAILURE_NOTES = 5


@dataclass
class LoadResult:
    """What the server acknowledged, how long it took, and what went wrong (first few cases)."""

    requests: int = 0
    accepted: int = 0
    failures: int = 0
    wall_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def events_per_s(self) -> float:
        return self.accepted / self.wall_s if self.wall_s else 0.0


def _check(result: LoadResult, response: httpx.Response, expected: int) -> None:
    accepted = 0
    if response.status_code == 200:
        accepted = int(orjson.loads(response.content).get("accepted", 0))
    result.accepted += accepted
    if response.status_code != 200 or accepted != expected:
        result.failures += 1
        if len(result.notes) < MAX_FAILURE_NOTES:
            result.notes.append(
                f"HTTP {response.status_code}, accepted {accepted}/{expected}: "
                f"{response.text[:300]}"
            )


async def _drive(base_url: str, bodies: list[bytes], per_body: int, concurrency: int) -> LoadResult:
    result = LoadResult()
    queue = iter(bodies)
    # The batches mix widget and chat-server events; a browser's User-Agent keeps the widget ones
    # from being dropped as a crawler's.
    headers = {
        "Authorization": f"Bearer {WRITE_KEY}",
        "Content-Type": "application/json",
        "User-Agent": BROWSER,
    }
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        for body in queue:  # a shared iterator: each body is taken by exactly one worker
            result.requests += 1
            started = time.perf_counter()
            try:
                response = await client.post("/v1/events", content=body, headers=headers)
            except httpx.HTTPError as exc:
                result.failures += 1
                if len(result.notes) < MAX_FAILURE_NOTES:
                    result.notes.append(f"{type(exc).__name__}: {exc!r}")
                continue
            result.latencies_ms.append((time.perf_counter() - started) * 1000)
            _check(result, response, per_body)

    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=300) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        result.wall_s = time.perf_counter() - started
    return result


def _run(base_url: str, bodies: list[bytes], per_body: int, concurrency: int) -> LoadResult:
    return asyncio.run(_drive(base_url, bodies, per_body, concurrency))


def send(base_url: str, bodies: list[bytes], *, per_body: int, concurrency: int) -> LoadResult:
    """POST every body from a fresh process, `concurrency` at a time; blocks until all are answered."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(_run, base_url, bodies, per_body, concurrency).result()
