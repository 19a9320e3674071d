"""MariaDB through either driver: mysqlclient (C, taken when installed) and PyMySQL (pure Python)
give the same answer on every analytics endpoint, over the same stored events.

The rest of the suite runs MariaDB on the driver chatlytics takes (settings.mysql_driver); this
module is where the other one is held to it. CI installs both (CHATLYTICS_REQUIRE_BACKENDS=1 fails
the run when one is missing).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib.util import find_spec
from typing import Any

import pytest
import sqlalchemy as sa
from bench.analytics import ENDPOINTS
from bench.events import stream
from fastapi.testclient import TestClient
from sqlalchemy.engine import URL

from chatlytics.app import create_app
from chatlytics.store.database import Database
from tests import backends
from tests.analytics.support import store
from tests.conftest import make_settings
from tests.helpers import READ

DRIVERS = {"mysql+mysqldb": "MySQLdb", "mysql+pymysql": "pymysql"}
EVENTS = 4_000


@pytest.fixture(scope="module")
def mariadb() -> Iterator[URL]:
    """A MariaDB database holding two days of generated traffic."""
    missing = [module for module in DRIVERS.values() if find_spec(module) is None]
    try:
        if missing:
            raise backends.Unreachable(
                f"driver {', '.join(missing)} is not installed (mysqlclient needs libmariadb-dev)"
            )
        url = backends.server_url("mariadb")
    except backends.Unreachable as exc:
        if backends.REQUIRED:
            pytest.fail(f"{exc} (CHATLYTICS_REQUIRE_BACKENDS=1)")
        pytest.skip(str(exc))
    db = backends.migrated(url)
    end = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=5)
    try:
        for chunk in stream(EVENTS, seed=3, start=end - timedelta(days=2), end=end):
            store(db, chunk)
    finally:
        db.dispose()
    yield url
    backends.drop(url)


def _answers(url: URL, driver: str, since: str, at: str) -> dict[str, Any]:
    db = Database.connect(url.set(drivername=driver))
    answers = {}
    try:
        with TestClient(create_app(make_settings(), db=db)) as client:
            for path, extra in ENDPOINTS:
                response = client.get(path, params={"from": since, "to": at, **extra}, headers=READ)
                assert response.status_code == 200, (driver, path, response.text)
                answers[f"{path}?{sorted(extra.items())}"] = response.json()
    finally:
        db.dispose()
    return answers


def test_both_drivers_give_the_same_answers(mariadb: URL) -> None:
    # A fixed end: every figure that depends on the present is asked about the same moment.
    at = datetime.now(UTC).replace(microsecond=0).isoformat()
    since = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    c_driver, python_driver = (_answers(mariadb, d, since, at) for d in DRIVERS)
    assert c_driver.keys() == python_driver.keys()
    for key, answer in c_driver.items():
        assert answer == python_driver[key], key
    overview = c_driver["/analytics/?[]"]
    assert overview["total_sessions"] > 50
    assert overview["total_messages"] > 500


def test_the_suite_runs_on_the_driver_chatlytics_takes(mariadb: URL) -> None:
    engine = sa.create_engine(mariadb)
    try:
        assert engine.dialect.driver == ("mysqldb" if find_spec("MySQLdb") else "pymysql")
    finally:
        engine.dispose()
