"""The databases the suite runs on: SQLite always, PostgreSQL and MariaDB when reachable.

CI sets CHATLYTICS_REQUIRE_BACKENDS=1 so that an unreachable server fails the run instead of skipping.
Each pytest worker gets its own database on the servers, created on first use.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL

from chatlytics.settings import mysql_driver
from chatlytics.store.database import Database
from chatlytics.store.migrate import upgrade
from chatlytics.store.schema import metadata

SERVERS = {
    "postgresql": os.environ.get(
        "TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    ),
    # The driver chatlytics itself takes (settings.mysql_driver); tests/store/test_mysql_drivers.py
    # checks that the other one gives the same answers.
    "mariadb": os.environ.get(
        "TEST_MARIADB_URL", f"{mysql_driver()}://root@127.0.0.1:3306/test?charset=utf8mb4"
    ),
}
REQUIRED = os.environ.get("CHATLYTICS_REQUIRE_BACKENDS") == "1"


class Unreachable(Exception):
    pass


def worker() -> str:
    # The pid keeps two test runs on one machine (two developers, or CI and a developer) apart.
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


def server_url(kind: str) -> URL:
    """A fresh database for this worker on the `kind` server; Unreachable if it cannot be had."""
    base = sa.make_url(SERVERS[kind])
    name = f"chatlytics_test_{worker()}"
    try:
        engine = sa.create_engine(
            base, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
        )
        with engine.connect() as conn:
            if kind == "postgresql":
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            else:
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
                conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
        engine.dispose()
    except sa.exc.OperationalError as exc:
        raise Unreachable(
            f"{kind} at {base.render_as_string()} is not reachable: {exc.orig}"
        ) from None
    return base.set(database=name)


def drop(url: URL) -> None:
    """Remove a database made by `server_url`."""
    kind = url.get_backend_name()
    engine = sa.create_engine(
        sa.make_url(SERVERS["postgresql" if kind == "postgresql" else "mariadb"]),
        isolation_level="AUTOCOMMIT",
    )
    quoted = f'"{url.database}"' if kind == "postgresql" else f"`{url.database}`"
    force = " WITH (FORCE)" if kind == "postgresql" else ""
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {quoted}{force}"))
    engine.dispose()


def sqlite_url(directory: Path) -> URL:
    return sa.make_url(f"sqlite+pysqlite:///{directory / 'chatlytics.db'}")


def migrated(url: URL) -> Database:
    db = Database.connect(url)
    upgrade(db)
    return db


def wipe(db: Database) -> None:
    """Empty every table (faster than re-creating the schema for each test)."""
    with db.write() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
