"""The databases to measure: SQLite in a temp dir always, the servers when they answer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from chatlytics.settings import mysql_driver

BENCH_DATABASE = "chatlytics_bench"
SERVERS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    "mariadb": f"{mysql_driver()}://root@127.0.0.1:3306/mysql?charset=utf8mb4",
}
NAMES = ("sqlite", *SERVERS)


@dataclass(frozen=True)
class Target:
    """One database under test: its name in the report and the URL the server is given."""

    name: str
    url: str


class Unreachable(Exception):
    """The server did not answer; the message is the one-line note for the report."""


def sqlite(directory: Path, file: str) -> Target:
    return Target("sqlite", f"sqlite+pysqlite:///{directory / file}")


def fresh(kind: str) -> Target:
    """Drop and recreate `chatlytics_bench` on the `kind` server."""
    base = sa.make_url(SERVERS[kind])
    engine = sa.create_engine(
        base, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    try:
        with engine.connect() as conn:
            if kind == "postgresql":
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
                conn.execute(sa.text(f'CREATE DATABASE "{BENCH_DATABASE}"'))
            else:
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{BENCH_DATABASE}`"))
                conn.execute(sa.text(f"CREATE DATABASE `{BENCH_DATABASE}` CHARACTER SET utf8mb4"))
    except sa.exc.OperationalError as exc:
        raise Unreachable(
            f"{kind} at {base.host}:{base.port} is not reachable "
            f"({str(exc.orig).strip().splitlines()[0]}); skipped"
        ) from None
    finally:
        engine.dispose()
    url = base.set(database=BENCH_DATABASE)
    return Target(kind, url.render_as_string(hide_password=False))
