"""`chatlytics serve` in its own process on a fixed port, so that it can be killed and started again.

Clients keep the same base URL across restarts, as they would behind a process supervisor.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
from bench.server import ADMIN_KEY, READ_KEY, WRITE_KEY, ServerFailed, free_port, log_tail

READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 30.0


class Collector:
    """One collector process at a time on `port`; its output (all runs) is appended to `log`."""

    def __init__(self, database_url: str, log: Path, env: Mapping[str, str] | None = None) -> None:
        self.database_url = database_url
        self.log = log
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CHATLYTICS_WRITE_KEY": WRITE_KEY,
            "CHATLYTICS_READ_KEY": READ_KEY,
            "CHATLYTICS_ADMIN_KEY": ADMIN_KEY,
            # The load comes from one address with one key, far more than any real visitor sends.
            "RATE_LIMIT_PER_KEY": "0",
            "RATE_LIMIT_PER_ADDRESS": "0",
            **(env or {}),
        }
        self.starts = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the server and wait until it answers /readyz (its database is up and migrated)."""
        if self.alive():
            raise RuntimeError("the collector is already running")
        command = [str(Path(sys.executable).parent / "chatlytics"), "serve"]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("ab") as out:
            out.write(f"\n==== start {self.starts + 1} ====\n".encode())
            out.flush()
            self._process = subprocess.Popen(
                command,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self.starts += 1
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if not self.alive():
                raise ServerFailed(f"collector exited:\n{log_tail(self.log)}")
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise ServerFailed(
            f"collector not ready after {READY_TIMEOUT_S:.0f} s:\n{log_tail(self.log)}"
        )

    def kill9(self) -> None:
        """SIGKILL: no shutdown handler runs, whatever the writer holds is cut off mid-flight."""
        if self._process is None:
            return
        os.kill(self._process.pid, signal.SIGKILL)
        self._process.wait()

    def stop(self) -> None:
        """SIGTERM (uvicorn drains, the writer commits what it holds); SIGKILL if it hangs."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def running(
    database_url: str, log: Path, env: Mapping[str, str] | None = None
) -> Iterator[Collector]:
    """A started collector, stopped on the way out whatever happens."""
    collector = Collector(database_url, log, env)
    try:
        collector.start()
        yield collector
    finally:
        collector.stop()
