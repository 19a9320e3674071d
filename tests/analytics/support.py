"""Helpers of the analytics tests: load a scenario, ask for figures, compare answers with expectations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient

from chatlytics.events import ValidEvent, validate_event
from chatlytics.store.batch import store_batch
from chatlytics.store.database import Database
from chatlytics.store.timing import utcnow
from tests.helpers import READ, post_events
from tests.scenario import Scenario

TIME_FIELDS = ("bucket",)


def load(client: TestClient, scenario: Scenario) -> None:
    """Send every event of the scenario through the collector; none may be refused."""
    for batch in scenario.batches():
        answer = post_events(client, batch)
        assert answer["rejected"] == [], answer["rejected"]
        assert answer["accepted"] == len(batch)


def store(db: Database, raw: list[dict[str, Any]], *, now: datetime | None = None) -> None:
    """Store events through the real write path, without an app (for figure-function tests)."""
    received = datetime.now(UTC)
    valid = []
    for i, item in enumerate(raw):
        checked = validate_event(i, item, sent_at=None, received_at=received)
        assert isinstance(checked, ValidEvent), checked
        valid.append(checked)
    with db.write() as conn:
        store_batch(conn, valid, [], now=now or utcnow(), timeout_s=1800)


def get(client: TestClient, path: str, **params: str) -> Any:
    """GET with the read key; asserts 200 and returns the answer with its times parsed."""
    response = client.get(path, params=params, headers=READ)
    assert response.status_code == 200, response.text
    return parse_times(response.json())


def zulu(moment: datetime, offset: timezone = UTC) -> str:
    """A naive-UTC moment as an ISO string with an offset."""
    return moment.replace(tzinfo=UTC).astimezone(offset).isoformat()


def _is_time_field(key: str) -> bool:
    return key.endswith("_at") or key in TIME_FIELDS


def parse_times(value: Any) -> Any:
    """The answer with every time field turned into a naive-UTC datetime (and checked to be UTC)."""
    if isinstance(value, list):
        return [parse_times(item) for item in value]
    if not isinstance(value, dict):
        return value
    parsed = {}
    for key, item in value.items():
        if _is_time_field(key) and isinstance(item, str):
            moment = datetime.fromisoformat(item)
            assert moment.utcoffset() == timedelta(0), f"{key}={item} is not sent as UTC"
            parsed[key] = moment.replace(tzinfo=None)
        else:
            parsed[key] = parse_times(item)
    return parsed


def assert_matches(actual: Any, expected: Any, path: str = "") -> None:
    """Every key of `expected` is in `actual` with an equal value (floats approximately)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: {actual!r} is not an object"
        for key, want in expected.items():
            assert key in actual, f"{path}.{key} is missing"
            assert_matches(actual[key], want, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: {actual!r} is not a list"
        assert len(actual) == len(expected), f"{path}: {len(actual)} items, want {len(expected)}"
        for i, (got, want) in enumerate(zip(actual, expected, strict=True)):
            assert_matches(got, want, f"{path}[{i}]")
    elif isinstance(expected, float):
        assert actual == pytest.approx(expected, rel=1e-9, abs=1e-9), (
            f"{path}: {actual} != {expected}"
        )
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"
        assert type(actual) is type(expected) or expected is None, f"{path}: type {type(actual)}"


@dataclass(frozen=True)
class Ask:
    """One window to ask for: its query parameters and the [start, end) they mean."""

    name: str
    params: dict[str, str]
    start: datetime
    end: datetime


def windows(scenario: Scenario) -> list[Ask]:
    """The scenario's full window, a window cut through it, and the default one."""
    now, first = scenario.now, scenario.window_start
    cut_start = first + timedelta(days=2, hours=7, minutes=13)
    cut_end = (now - timedelta(days=1)).replace(hour=0, minute=0, second=0)
    india = timezone(timedelta(hours=5, minutes=30))
    return [
        Ask(
            "full",
            {"from": zulu(first), "to": zulu(now + timedelta(minutes=5), india)},
            first,
            now + timedelta(minutes=5),
        ),
        Ask(
            "cut",
            {
                "from": zulu(cut_start, timezone(timedelta(hours=-5))),
                "to": cut_end.date().isoformat(),
            },
            cut_start,
            cut_end,
        ),
        # The default: the 30 days before the request, which is after every event.
        Ask("default", {}, now - timedelta(days=30), now + timedelta(seconds=1)),
    ]
