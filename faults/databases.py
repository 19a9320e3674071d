"""The databases the proofs run on: a SQLite file, or a fresh database on a server.

The machine's shared servers are never stopped or reconfigured: other people's tests use them. Only a
database made here (`chatlytics_faults`, `chatlytics_fuzz`) is created and dropped on them. The
servers a proof stops are its own (private.py).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from bench.databases import SERVERS

FAULTS_DATABASE = "chatlytics_faults"


class Unreachable(Exception):
    """A shared server did not answer."""


def sqlite_url(directory: Path, name: str = "faults.db") -> str:
    return f"sqlite+pysqlite:///{directory / name}"


def _admin(kind: str) -> sa.Engine:
    return sa.create_engine(
        sa.make_url(SERVERS[kind]),
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 3},
    )


def _quoted(kind: str, name: str) -> str:
    return f'"{name}"' if kind == "postgresql" else f"`{name}`"


def fresh_shared(kind: str, name: str = FAULTS_DATABASE) -> str:
    """Drop and create `name` on the shared `kind` server; its URL."""
    engine = _admin(kind)
    force = " WITH (FORCE)" if kind == "postgresql" else ""
    charset = " CHARACTER SET utf8mb4" if kind == "mariadb" else ""
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {_quoted(kind, name)}{force}"))
            conn.execute(sa.text(f"CREATE DATABASE {_quoted(kind, name)}{charset}"))
    except sa.exc.OperationalError as exc:
        raise Unreachable(f"{kind} is not reachable: {str(exc.orig).strip()[:200]}") from None
    finally:
        engine.dispose()
    return sa.make_url(SERVERS[kind]).set(database=name).render_as_string(hide_password=False)


def drop_shared(kind: str, name: str = FAULTS_DATABASE) -> None:
    engine = _admin(kind)
    force = " WITH (FORCE)" if kind == "postgresql" else ""
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {_quoted(kind, name)}{force}"))
    finally:
        engine.dispose()


def with_database(server_url: str, kind: str, name: str = FAULTS_DATABASE) -> str:
    """Create `name` on a private server; its URL."""
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    charset = " CHARACTER SET utf8mb4" if kind == "mariadb" else ""
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f"CREATE DATABASE {_quoted(kind, name)}{charset}"))
    finally:
        engine.dispose()
    return sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)
