"""GET /analytics/roi answers what the scenario's own events imply, whichever cost source is used."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from chatlytics.app import create_app
from chatlytics.settings import Settings
from chatlytics.store.database import Database
from tests.analytics.operations import expected_business as expected
from tests.analytics.operations.conftest import Loaded
from tests.analytics.operations.scenario import build
from tests.analytics.support import assert_matches, get, load, windows
from tests.conftest import KEYS
from tests.scenario import facts

ASKED: list[dict[str, Any]] = [
    {},
    {"cost_per_month": 300.0, "lead_value": 40.0, "currency": "EUR"},
    {"cost_per_conversation": 0.5, "conversion_value": 12.0},
    {"lead_value": 3.0, "currency": "Eur"},
    {"cost_per_month": 0.0},
    {"cost_per_conversation": 5e-324, "lead_value": 1e12},  # quotients overflow: null, not a 500
]


def _params(asked: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in asked.items()}


@pytest.mark.parametrize("asked", ASKED)
def test_roi(loaded: Loaded, asked: dict[str, Any]) -> None:
    now = loaded.scenario.now
    for ask in windows(loaded.scenario):
        if ask.name == "default" and "cost_per_month" in asked:
            continue  # its length is the request's own clock, not known to the second here
        answer = get(loaded.client, "/analytics/roi", **ask.params, **_params(asked))
        want = expected.roi(loaded.facts, ask.start, ask.end, now, asked)
        assert_matches(answer, want, ask.name)


@pytest.fixture
def configured(db: Database) -> Iterator[TestClient]:
    values: dict[str, Any] = {
        **KEYS,
        "BATCH_FLUSH_MS": 5,
        "KEY_CACHE_SECONDS": 0,
        "ROI_COST_PER_MONTH": 120.0,
        "ROI_LEAD_VALUE": 15.0,
        "ROI_CURRENCY": "USD",
    }
    settings = Settings(**values)
    with TestClient(create_app(settings, db=db)) as client:
        yield client


@pytest.mark.usefixtures("sqlite_only")
def test_settings_apply_and_the_query_overrides_them(configured: TestClient) -> None:
    scenario = build()
    load(configured, scenario)
    folded = facts(scenario)
    ask = windows(scenario)[0]
    settings = {"cost_per_month": 120.0, "lead_value": 15.0, "currency": "USD"}
    answer = get(configured, "/analytics/roi", **ask.params)
    assert_matches(answer, expected.roi(folded, ask.start, ask.end, scenario.now, settings))
    # A cost in the query replaces both configured costs; the other settings stay.
    answer = get(configured, "/analytics/roi", **ask.params, cost_per_conversation="2")
    asked = {"cost_per_conversation": 2.0, "lead_value": 15.0, "currency": "USD"}
    assert_matches(answer, expected.roi(folded, ask.start, ask.end, scenario.now, asked))
