"""An app that serves the operations routes, and the operations scenario loaded into it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from chatlytics.app import create_app
from chatlytics.settings import Settings
from chatlytics.store.database import Database
from tests.analytics.operations.scenario import build
from tests.analytics.support import load
from tests.scenario import Event, Facts, Scenario, facts


@pytest.fixture
def ops_client(db: Database, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, db=db)) as client:
        yield client


@dataclass(frozen=True)
class Loaded:
    client: TestClient
    scenario: Scenario
    facts: Facts
    samples: list[Event]  # the `performance` events, which belong to no session


@pytest.fixture
def loaded(ops_client: TestClient) -> Loaded:
    scenario = build()
    load(ops_client, scenario)
    kept = [e for e in scenario.events if e.type != "performance"]
    samples = [e for e in scenario.events if e.type == "performance"]
    folded = facts(Scenario(scenario.now, scenario.window_start, kept))
    return Loaded(ops_client, scenario, folded, samples)
