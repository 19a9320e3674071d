"""Run `chatlytics serve` in its own process, as an operator would, and stop it whatever happens."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

WRITE_KEY = "bench-write"
READ_KEY = "bench-read"
ADMIN_KEY = "bench-admin"
READY_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 30.0
# The writer's own warnings reach stderr bare (no logging config), hence "not stored".
PROBLEM_MARKERS = ("Traceback", "ERROR", "WARNING", "Exception", "not stored", '" 500', '" 503')


class ServerFailed(RuntimeError):
    """The server exited or never became ready; the message carries the end of its log."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def log_tail(log: Path, lines: int = 25) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def log_problems(log: Path, limit: int = 10) -> list[str]:
    """Lines of the server log that look like trouble (errors, tracebacks, 5xx answers)."""
    found = [
        line
        for line in log.read_text(errors="replace").splitlines()
        if any(marker in line for marker in PROBLEM_MARKERS)
    ]
    return found[:limit]


def _wait_ready(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFailed(f"server exited with {process.returncode}:\n{log_tail(log)}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise ServerFailed(f"server not ready after {READY_TIMEOUT_S:.0f} s:\n{log_tail(log)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    # SIGTERM lets uvicorn drain and the writer commit what it holds; kill only if it hangs.
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def running(database_url: str, log: Path) -> Iterator[str]:
    """A ready server on a free port for `database_url`; yields its base URL, its output goes to `log`."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CHATLYTICS_WRITE_KEY": WRITE_KEY,
        "CHATLYTICS_READ_KEY": READ_KEY,
        "CHATLYTICS_ADMIN_KEY": ADMIN_KEY,
        # One load generator on one address sends far more than any real site's visitor would.
        "RATE_LIMIT_PER_KEY": "0",
        "RATE_LIMIT_PER_ADDRESS": "0",
    }
    command = [
        str(Path(sys.executable).parent / "chatlytics"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    base_url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        try:
            _wait_ready(process, base_url, log)
            yield base_url
        finally:
            _stop(process)
