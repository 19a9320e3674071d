"""Private PostgreSQL and MariaDB servers, each in a temp dir on a free loopback port, which a proof
may stop and start at will. Only the process started here is ever stopped (by its data dir or pid).
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from bench.server import free_port

from chatlytics.settings import mysql_driver
from faults.databases import Unreachable

START_TIMEOUT_S = 60.0


class PrivateServer(Protocol):
    kind: str

    @property
    def url(self) -> str:
        """A URL of the server's own administrative database, with no password."""
        ...

    def start(self) -> None:
        """Start, and return once it accepts connections."""

    def stop(self) -> None:
        """Stop abruptly, as a crash or an operator's kill would."""

    def close(self) -> None:
        """Stop for good, cleanly, if it is running."""


def _run(command: list[str]) -> None:
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    if done.returncode:
        output = done.stdout.decode(errors="replace").strip()[-2000:]
        raise RuntimeError(f"{' '.join(command)} exited with {done.returncode}:\n{output}")


def _wait_ready(url: str, what: str) -> None:
    engine = sa.create_engine(url, connect_args={"connect_timeout": 2})
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while True:
            try:
                with engine.connect() as conn:
                    conn.execute(sa.text("SELECT 1"))
                return
            except sa.exc.OperationalError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{what} not ready in {START_TIMEOUT_S:.0f} s") from None
                time.sleep(0.1)
    finally:
        engine.dispose()


def _version(initdb: str) -> tuple[int, ...]:
    return tuple(int(part) for part in Path(initdb).parts[-3].split(".") if part.isdigit())


class PrivatePostgres:
    """initdb + pg_ctl, as the `postgres` user when we are root (the server refuses to run as root)."""

    kind = "postgresql"

    def __init__(self, directory: Path) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
        if not found:
            raise Unreachable("no PostgreSQL server binaries under /usr/lib/postgresql")
        self.directory = directory
        self.port = free_port()
        self.bin = Path(found[-1]).parent
        self.data = directory / "data"
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(directory, "postgres", "postgres")
        initdb = [str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres"]
        _run([*self._as, *initdb, "--auth=trust", "-E", "UTF8", "--no-sync"])

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        _run([*self._as, str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", *args])

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        self._pg_ctl("-o", options, "-l", str(self.directory / "server.log"), "start")
        _wait_ready(self.url, f"private PostgreSQL on port {self.port}")

    def stop(self) -> None:
        """Immediate: every connection is dropped mid-transaction; recovery runs on the next start."""
        self._pg_ctl("-m", "immediate", "stop")

    def close(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("-m", "fast", "stop")


def _mariadbd() -> str:
    found = shutil.which("mariadbd", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
    if found is None:
        raise Unreachable("no mariadbd on this machine")
    return found


class PrivateMariaDB:
    """mariadb-install-db + mariadbd, reading no option file; SIGKILL stops it."""

    kind = "mariadb"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.data = directory / "data"
        self._binary = _mariadbd()
        self._process: subprocess.Popen[bytes] | None = None
        install = ["mariadb-install-db", "--no-defaults", f"--datadir={self.data}"]
        _run([*install, "--auth-root-authentication-method=normal", "--skip-test-db"])

    @property
    def url(self) -> str:
        return f"{mysql_driver()}://root@127.0.0.1:{self.port}/mysql?charset=utf8mb4"

    def start(self) -> None:
        command = [self._binary, "--no-defaults", f"--datadir={self.data}", f"--port={self.port}"]
        command += [f"--socket={self.directory / 'sock'}", f"--pid-file={self.directory / 'pid'}"]
        command += ["--bind-address=127.0.0.1", "--skip-name-resolve"]
        command += ["--user=root"] if os.geteuid() == 0 else []
        with (self.directory / "server.log").open("ab") as log:
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        _wait_ready(self.url, f"private MariaDB on port {self.port}")

    def stop(self) -> None:
        """SIGKILL: every connection is dropped mid-transaction; InnoDB recovers on the next start."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait()

    def close(self) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def private(kind: str, directory: Path) -> PrivateServer:
    return PrivatePostgres(directory) if kind == "postgresql" else PrivateMariaDB(directory)
