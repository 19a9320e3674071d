"""`chatlytics up`: one process serving the collector and the demo, with a fresh demo key each start."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from chatlytics.cli import DEMO_KEY_LABEL, rotate_demo_key
from chatlytics.demo.together import Site, group, serve_together
from chatlytics.store import keys as keystore
from chatlytics.store.database import Database
from chatlytics.tracker import BUILT
from tests.demo.stack import off_loop

START_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_each_start_revokes_the_previous_demo_key(db: Database, sqlite_only: None) -> None:
    with db.write() as conn:
        other = keystore.create_key(conn, "write", "website")
    first = rotate_demo_key(db)
    second = rotate_demo_key(db)
    with db.read() as conn:
        active = {k.prefix: k for k in keystore.list_keys(conn)}
        hashes = keystore.active_hashes(conn)
    assert keystore.hash_key(second) in hashes
    assert keystore.hash_key(first) not in hashes
    assert keystore.hash_key(other) in hashes
    assert [k.label for k in active.values()].count(DEMO_KEY_LABEL) == 1
    assert active[second[: keystore.PREFIX_LEN]].role == "write"


def hello(name: str) -> FastAPI:
    app = FastAPI()

    @app.get("/")
    def root() -> str:
        return name

    return app


def test_servers_run_together_and_stop_together() -> None:
    ports = free_port(), free_port()
    servers = group(
        [Site(hello(f"app{i}"), "127.0.0.1", p) for i, p in enumerate(ports)], log_level="warning"
    )
    thread = threading.Thread(target=asyncio.run, args=(serve_together(servers),), daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not all(s.started for s in servers) and time.monotonic() < deadline:
        time.sleep(0.01)
    answers = [httpx.get(f"http://127.0.0.1:{p}/").json() for p in ports]
    assert answers == ["app0", "app1"]
    servers[0].should_exit = True  # one stops (as after a signal): the other follows
    thread.join(START_TIMEOUT_S)
    assert not thread.is_alive()


def test_a_port_in_use_stops_both_and_exits() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        servers = group(
            [Site(hello("a"), "127.0.0.1", free_port()), Site(hello("b"), "127.0.0.1", port)],
            log_level="critical",
        )
        with pytest.raises(SystemExit):
            off_loop(asyncio.run, serve_together(servers))


def test_up_serves_both_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port, demo_port = free_port(), free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("CHATLYTICS_", "DATABASE_", "DB_"))
    }
    env["CHATLYTICS_SQLITE_PATH"] = str(tmp_path / "up.db")
    command = [
        sys.executable,
        "-c",
        "from chatlytics.cli import app; app()",
        "up",
        "--port",
        str(port),
        "--demo-port",
        str(demo_port),
    ]
    with subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        try:
            base, demo = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{demo_port}"
            deadline = time.monotonic() + START_TIMEOUT_S
            while time.monotonic() < deadline:
                try:
                    page = httpx.get(demo + "/")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            assert page.status_code == 200
            assert f'src="{base}/t.js"' in page.text
            # The tracker's route is there: 200, or 503 with how to build it.
            assert httpx.get(base + "/t.js").status_code == (200 if BUILT.is_file() else 503)
            assert httpx.get(base + "/openapi.json").status_code == 200
        finally:
            process.send_signal(signal.SIGINT)
            output, _ = process.communicate(timeout=START_TIMEOUT_S)
    assert process.returncode == 0, output
    for line in (
        f"collector      {base}",
        f"API docs       {base}/docs",
        f"dashboard      {base}/dashboard  (",
        f"demo shop      {demo}",
    ):
        assert line in output
    keys = dict(re.findall(r"^  (write|read|admin)\s+(cl_\w_\S+)$", output, re.M))
    assert set(keys) == {"write", "read", "admin"}  # first start: the keys, shown once
    demo_key = re.search(r"demo write key (cl_w_\S+)", output)
    assert demo_key is not None
    assert f'data-write-key="{demo_key.group(1)}"' in page.text
    assert output.count("Finished server process") == 2
