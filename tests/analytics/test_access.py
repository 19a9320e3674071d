"""Every analytics endpoint needs a read (or admin) key, checked before anything else."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.helpers import ADMIN, READ, WRITE

PATHS = [
    "/analytics/",
    "/analytics/sessions",
    "/analytics/conversations",
    "/analytics/messages",
    "/analytics/leads",
    "/analytics/human_handover",
    "/analytics/events",
    "/analytics/funnel",
    "/analytics/retention",
    "/analytics/products",
    "/analytics/opportunities",
    "/analytics/performance",
    "/analytics/pain_points",
    "/analytics/satisfaction",
    "/analytics/roi",
    "/analytics/capacity",
    "/analytics/user/someone",
    "/analytics/conversation/someone",
]
BY_ID = ("/analytics/user/", "/analytics/conversation/")

pytestmark = pytest.mark.usefixtures("sqlite_only")


@pytest.mark.parametrize("path", PATHS)
def test_no_key_is_401(app_client: TestClient, path: str) -> None:
    assert app_client.get(path).status_code == 401
    wrong = {"Authorization": "Bearer not-a-key"}
    assert app_client.get(path, headers=wrong).status_code == 401


@pytest.mark.parametrize("path", PATHS)
def test_write_key_is_403(app_client: TestClient, path: str) -> None:
    assert app_client.get(path, headers=WRITE).status_code == 403


@pytest.mark.parametrize("path", PATHS)
def test_read_and_admin_keys_are_let_in(app_client: TestClient, path: str) -> None:
    expected = 404 if path.startswith(BY_ID) else 200
    assert app_client.get(path, headers=READ).status_code == expected
    assert app_client.get(path, headers=ADMIN).status_code == expected


@pytest.mark.parametrize("path", [p for p in PATHS if not p.startswith(BY_ID)])
def test_the_key_is_checked_before_the_parameters(app_client: TestClient, path: str) -> None:
    assert app_client.get(path, params={"from": "garbage"}).status_code == 401
    assert app_client.get(path, params={"from": "garbage"}, headers=WRITE).status_code == 403


def test_every_analytics_route_is_covered(app_client: TestClient) -> None:
    app = app_client.app
    assert isinstance(app, FastAPI)
    paths = app.openapi()["paths"]
    documented = {
        p for p, methods in paths.items() if p.startswith("/analytics") and "get" in methods
    }
    assert documented == {
        p.replace("user/someone", "user/{user_id}").replace(
            "conversation/someone", "conversation/{conversation_id}"
        )
        for p in PATHS
    }
