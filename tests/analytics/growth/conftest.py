"""The growth scenario, loaded into the suite's app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from chatlytics.store.database import Database
from tests.analytics.growth.scenario import Scenario, build
from tests.helpers import post_events


@dataclass(frozen=True)
class Ask:
    """A window to ask for: its query parameters and the [start, end) they mean."""

    name: str
    params: dict[str, str]
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Loaded:
    client: TestClient
    scenario: Scenario
    db: Database

    def asks(self) -> list[Ask]:
        """Everything, the four weeks, and a window cut mid-day through them (given with offsets)."""
        monday, now = self.scenario.monday, self.scenario.now
        first = monday - timedelta(days=14)
        cut_start = monday + timedelta(days=9, hours=13, minutes=17, seconds=5)
        cut_end = monday + timedelta(days=20)
        west = timezone(timedelta(hours=-5))
        return [
            Ask("all", {"from": first.date().isoformat(), "to": _iso(now)}, first, now),
            Ask(
                "weeks",
                {
                    "from": monday.date().isoformat(),
                    "to": (monday + timedelta(weeks=4)).isoformat(),
                },
                monday,
                monday + timedelta(weeks=4),
            ),
            Ask(
                "cut",
                {"from": _iso(cut_start, west), "to": cut_end.date().isoformat()},
                cut_start,
                cut_end,
            ),
        ]


def _iso(moment: datetime, offset: timezone = UTC) -> str:
    return moment.replace(tzinfo=UTC).astimezone(offset).isoformat()


@pytest.fixture
def loaded(app_client: TestClient, db: Database) -> Loaded:
    scenario = build()
    for batch in scenario.batches():
        answer = post_events(app_client, batch)
        assert answer["rejected"] == [], answer["rejected"]
        assert answer["accepted"] == len(batch)
    return Loaded(app_client, scenario, db)
