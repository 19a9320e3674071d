"""The demo's test stack: the real collector and the demo chat server on loopback, in uvicorn threads.

The demo reports through an SDK client made here, so that a test can wait for the chat server's events
to be delivered (`settle`) before it reads the figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from chatlytics import create_app
from chatlytics.demo import create_demo_app
from chatlytics.demo.chat import Bot
from chatlytics.sdk import Client
from chatlytics.store.database import Database
from tests.conftest import make_settings
from tests.helpers import READ
from tests.sdk.fakes import wait_until
from tests.sdk.servers import serve

if TYPE_CHECKING:
    from playwright.sync_api import Page

WRITE_KEY = "test-write"
T = TypeVar("T")
Scenario = Callable[["Page"], None]  # what a browser test does with its page


def off_loop(function: Callable[..., T], *args: Any) -> T:
    """Call `function` on a fresh thread, where `asyncio.run` works.

    While a Playwright sync browser is open on this thread (another module's fixture may hold one),
    its event loop counts as running here, and `asyncio.run` refuses to start under a running loop.
    """
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args).result()


@dataclass(frozen=True)
class Stack:
    collector: str
    demo: str
    client: Client

    def figures(self, path: str = "") -> dict[str, Any]:
        response = httpx.get(f"{self.collector}/analytics/{path}", headers=READ, timeout=10)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def event_types(self) -> dict[str, int]:
        return {row["type"]: row["count"] for row in self.figures("events")["by_type"]}

    def settle(self) -> None:
        """Wait until every chat socket is closed and the demo's SDK has delivered its events."""
        assert wait_until(lambda: self.client.gauges.open_sessions == 0, timeout=15)
        assert self.client.flush(timeout=15)

    def wait_for(self, condition: Callable[[], bool], timeout: float = 15) -> None:
        assert wait_until(condition, timeout=timeout), "timed out"


@contextmanager
def running(db: Database, *, bot: Bot | None = None) -> Iterator[Stack]:
    """The collector on `db` and the demo reporting to it, each on its own free loopback port."""
    with serve(create_app(make_settings(), db=db)) as collector:
        client = Client(collector, WRITE_KEY, enabled=True, flush_interval=0.05)
        try:
            with serve(create_demo_app(collector, WRITE_KEY, sdk_client=client, bot=bot)) as demo:
                yield Stack(collector, demo, client)
        finally:
            assert client.shutdown(timeout=10)
