"""Shared fixtures: a migrated database per backend, and an app with known keys on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chatlytics.app import create_app
from chatlytics.settings import Settings
from chatlytics.store.database import Database
from tests import backends

BACKENDS = ["sqlite", "postgresql", "mariadb"]
KEYS = {
    "CHATLYTICS_WRITE_KEY": "test-write",
    "CHATLYTICS_READ_KEY": "test-read",
    "CHATLYTICS_ADMIN_KEY": "test-admin",
}


@pytest.fixture(scope="session", params=BACKENDS)
def session_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """One migrated database per backend for the whole run."""
    kind = request.param
    if kind == "sqlite":
        url = backends.sqlite_url(tmp_path_factory.mktemp("sqlite"))
    else:
        try:
            url = backends.server_url(kind)
        except backends.Unreachable as exc:
            if backends.REQUIRED:
                pytest.fail(f"{exc} (CHATLYTICS_REQUIRE_BACKENDS=1)")
            pytest.skip(f"{exc}; set TEST_{kind.upper()}_URL to run these tests")
    db = backends.migrated(url)
    yield db
    db.dispose()
    if kind != "sqlite":
        backends.drop(url)


@pytest.fixture
def db(session_db: Database) -> Database:
    """The backend's database, emptied for this test."""
    backends.wipe(session_db)
    return session_db


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {**KEYS, "BATCH_FLUSH_MS": 5, "KEY_CACHE_SECONDS": 0}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture
def app_client(db: Database, settings: Settings) -> Iterator[TestClient]:
    """A started app on an empty database, with keys test-write / test-read / test-admin."""
    with TestClient(create_app(settings, db=db)) as client:
        yield client


@pytest.fixture
def sqlite_only(db: Database) -> None:
    """Marks a test that does not depend on the database: it runs once, on SQLite."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the server-database copies of `sqlite_only` tests (not skip: they are not owed)."""
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        params = getattr(item, "callspec", None)
        backend = params.params.get("session_db") if params else None
        once = "sqlite_only" in getattr(item, "fixturenames", ())
        (drop if once and backend not in (None, "sqlite") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def tmp_sqlite(tmp_path: Path) -> Database:
    return backends.migrated(backends.sqlite_url(tmp_path))
