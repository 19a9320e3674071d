"""The operations scenario, loaded into the app of `app_client`."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.analytics.operations.scenario import build
from tests.analytics.support import load
from tests.scenario import Event, Facts, Scenario, facts


@dataclass(frozen=True)
class Loaded:
    client: TestClient
    scenario: Scenario
    facts: Facts
    samples: list[Event]  # the `performance` events, which belong to no session


@pytest.fixture
def loaded(app_client: TestClient) -> Loaded:
    scenario = build()
    load(app_client, scenario)
    kept = [e for e in scenario.events if e.type != "performance"]
    samples = [e for e in scenario.events if e.type == "performance"]
    folded = facts(Scenario(scenario.now, scenario.window_start, kept))
    return Loaded(app_client, scenario, folded, samples)
