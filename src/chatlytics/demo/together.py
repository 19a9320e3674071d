"""Serve several ASGI apps from one process: one uvicorn.Server each, gathered in one event loop.

Each uvicorn.Server installs its own SIGINT/SIGTERM handlers and restores the previous ones when it
stops, so with two of them only the last one installed would hear Ctrl+C, and the other would then be
handed the signal again on the way out. Here the servers leave signals alone, one handler stops them
all, and a server that stops for any other reason (a port already in use) stops the others too.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any

import uvicorn

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class GroupServer(uvicorn.Server):
    """A uvicorn.Server that leaves signal handling to `serve_together`."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


@dataclass(frozen=True)
class Site:
    """One app to serve, and where."""

    app: Any
    host: str
    port: int


def group(sites: Sequence[Site], **config: Any) -> list[GroupServer]:
    """One server per site, with the same uvicorn options (`log_level`, `proxy_headers`, ...)."""
    return [
        GroupServer(uvicorn.Config(site.app, host=site.host, port=site.port, **config))
        for site in sites
    ]


async def serve_together(servers: Sequence[uvicorn.Server]) -> None:
    """Run `servers` until a signal arrives or one of them stops; a second signal forces the exit."""
    loop = asyncio.get_running_loop()

    def stop(*_: object) -> None:
        for server in servers:
            if server.should_exit:
                server.force_exit = True
            server.should_exit = True

    failed: list[SystemExit] = []

    async def run(server: uvicorn.Server) -> None:
        try:
            await server.serve()
        except SystemExit as exc:  # uvicorn exits like this when it cannot bind its port
            failed.append(exc)
        finally:
            stop()

    installed = []
    for sig in SIGNALS:
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
            loop.add_signal_handler(sig, stop)
            installed.append(sig)
    try:
        await asyncio.gather(*(run(server) for server in servers))
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
    if failed:
        raise failed[0]
