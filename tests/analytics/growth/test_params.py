"""The growth endpoints need a read key, refuse bad parameters with a 422 naming them, and answer
zeros for an empty range."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.helpers import ADMIN, READ, WRITE

PATHS = [
    "/analytics/funnel",
    "/analytics/retention",
    "/analytics/products",
    "/analytics/opportunities",
]
EMPTY = {"from": "2020-01-06", "to": "2020-01-20"}  # two weeks from a Monday, no events

pytestmark = pytest.mark.usefixtures("sqlite_only")


@pytest.mark.parametrize("path", PATHS)
def test_a_read_key_is_needed_and_checked_first(app_client: TestClient, path: str) -> None:
    assert app_client.get(path).status_code == 401
    assert app_client.get(path, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert app_client.get(path, params={"from": "garbage", "steps": "X"}).status_code == 401
    assert app_client.get(path, headers=WRITE).status_code == 403
    assert app_client.get(path, headers=READ).status_code == 200
    assert app_client.get(path, headers=ADMIN).status_code == 200


def test_the_routes_are_documented(app_client: TestClient) -> None:
    app = app_client.app
    assert isinstance(app, FastAPI)
    assert set(PATHS) <= set(app.openapi()["paths"])


def reason(response: Any, field: str) -> str:
    assert response.status_code == 422, response.text
    mine = [e for e in response.json()["detail"] if e["loc"] == ["query", field]]
    assert mine, response.json()
    return str(mine[0]["msg"])


BAD = [
    ("/analytics/funnel", {"steps": "page_view"}, "steps", "1 given"),
    ("/analytics/funnel", {"steps": ",".join(f"t{n}" for n in range(9))}, "steps", "9 given"),
    ("/analytics/funnel", {"steps": "page_view,Widget_Open"}, "steps", "'Widget_Open' is not"),
    ("/analytics/funnel", {"steps": "page_view,,lead_submitted"}, "steps", "'' is not"),
    ("/analytics/funnel", {"steps": ""}, "steps", "0 given"),
    ("/analytics/funnel", {"steps": " "}, "steps", "0 given"),
    ("/analytics/funnel", {"steps": "page_view,page_view"}, "steps", "twice"),
    ("/analytics/funnel", {"steps": "page_view,performance"}, "steps", "performance"),
    ("/analytics/funnel", {"by": "visitor"}, "by", "'user' or 'session'"),
    ("/analytics/funnel", {"window": "0"}, "window", "greater than or equal to 1"),
    ("/analytics/funnel", {"window": "1.5"}, "window", "integer"),
    ("/analytics/funnel", {"window": "31622401"}, "window", "less than or equal"),
    ("/analytics/retention", {"period": "month"}, "period", "'day' or 'week'"),
    (
        "/analytics/retention",
        {"from": "2025-01-01", "to": "2026-01-03", "period": "day"},
        "period",
        "367 day periods; at most 366",
    ),
    (
        "/analytics/retention",
        {"from": "2000-01-01", "to": "2026-01-01"},
        "period",
        "at most 366 are served: use a shorter range",  # weeks already: no advice to use them
    ),
    (
        "/analytics/retention",
        {"from": "2025-01-01", "to": "2026-01-03", "period": "day"},
        "period",
        "use weeks",
    ),
    ("/analytics/opportunities", {"threshold": "101"}, "threshold", "less than or equal"),
    ("/analytics/opportunities", {"threshold": "-1"}, "threshold", "greater than or equal"),
    ("/analytics/opportunities", {"min_interest": "0"}, "min_interest", "greater than"),
    ("/analytics/opportunities", {"min_repeat": "1"}, "min_repeat", "greater than"),
    ("/analytics/products", {"from": "2026-13-01"}, "from", "ISO 8601"),
    ("/analytics/opportunities", {"from": "2026-02-01", "to": "2026-01-01"}, "from", "before to"),
]


@pytest.mark.parametrize(("path", "params", "field", "says"), BAD)
def test_bad_parameters_are_422_with_the_reason(
    app_client: TestClient, path: str, params: dict[str, str], field: str, says: str
) -> None:
    response = app_client.get(path, params=params, headers=READ)
    assert says in reason(response, field)


def test_a_year_of_days_is_served(app_client: TestClient) -> None:
    params = {"from": "2025-01-01", "to": "2026-01-02", "period": "day"}
    answer = app_client.get("/analytics/retention", params=params, headers=READ).json()
    assert len(answer["cohorts"]) == 366
    assert [len(c["returning"]) for c in answer["cohorts"][-2:]] == [2, 1]


def test_an_empty_range(app_client: TestClient) -> None:
    def ask(path: str, **params: str) -> Any:
        response = app_client.get(path, params={**EMPTY, **params}, headers=READ)
        assert response.status_code == 200, response.text
        return response.json()

    steps = ask("/analytics/funnel")["steps"]
    assert [s["count"] for s in steps] == [0] * 5
    assert [s["conversion_rate"] for s in steps] == [None, 0.0, 0.0, 0.0, 0.0]
    assert {s["median_seconds_from_previous"] for s in steps} == {None}
    cohorts = ask("/analytics/retention")["cohorts"]
    assert cohorts == [
        {
            "cohort": "2020-01-06",
            "size": 0,
            "partial": False,
            "returning": [0, 0],
            "rates": [0.0, 0.0],
        },
        {"cohort": "2020-01-13", "size": 0, "partial": False, "returning": [0], "rates": [0.0]},
    ]
    cut = ask("/analytics/retention", to="2020-01-19T12:00:00")["cohorts"]
    assert [c["partial"] for c in cut] == [False, True]
    assert ask("/analytics/products") == {
        "interest_events": 0,
        "visitors": 0,
        "by_product": [],
        "by_category": [],
    }
    assert ask("/analytics/opportunities") == {
        "threshold": 40,
        "min_interest": 3,
        "min_repeat": 2,
        "total_flagged": 0,
        "opportunities": [],
    }
