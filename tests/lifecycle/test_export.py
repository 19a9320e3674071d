"""The export holds every row posted for the person, and nothing of anyone else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from chatlytics.lifecycle import register
from chatlytics.store.database import Database
from tests.analytics.support import load
from tests.helpers import ADMIN, post_events
from tests.lifecycle.support import TARGET, refused, with_person
from tests.scenario import Scenario, build, facts

RECORDS = {
    "messages": ("user_message", "bot_response", "system_message"),
    "lead_analytics": ("lead_submitted",),
    "human_handover": ("handover_requested",),
    "chatbot_close_events": ("widget_close",),
}


@pytest.fixture
def scenario(app_client: TestClient) -> Scenario:
    scenario = with_person(build(seed=7))
    load(app_client, scenario)
    post_events(app_client, refused(scenario.now))
    return scenario


def exported(client: TestClient, user_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/users/{user_id}/export", headers=ADMIN)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_everything_of_the_person(app_client: TestClient, scenario: Scenario) -> None:
    tables = exported(app_client, TARGET)["tables"]
    mine = [e for e in scenario.events if e.user_id == TARGET]
    f = facts(scenario)
    assert {r["event_id"] for r in tables["events"]} == {e.event_id for e in mine}
    lead = next(r for r in tables["events"] if r["event_id"] == "ev-x-1")
    assert lead["properties"]["email"] == f"{TARGET}@example.com", "properties are decoded"
    for name, types in RECORDS.items():
        want = {e.event_id for e in mine if e.type in types}
        assert {r["event_id"] for r in tables[name]} == want, name
    assert {r["session_id"] for r in tables["sessions"]} == {
        s.id for s in f.sessions.values() if s.user_id == TARGET
    }
    assert {r["conversation_id"] for r in tables["conversations"]} == {
        c.id for c in f.conversations.values() if c.user_id == TARGET
    }
    assert [r["user_id"] for r in tables["users"]] == [TARGET]
    assert {r["event_id"] for r in tables["failed_events"]} == {"bad-1", "bad-2"}
    assert tables["failed_events"][1]["raw"]["user_id"] == [TARGET]


def test_nothing_of_anyone_else(app_client: TestClient, scenario: Scenario) -> None:
    answer = exported(app_client, TARGET)
    for name, rows in answer["tables"].items():
        for row in rows:
            assert row.get("user_id") in (TARGET, None), (name, row)
    text = orjson.dumps(answer).decode()
    for other in {e.user_id for e in scenario.events} - {TARGET}:
        assert f'"{other}"' not in text, other
    assert answer["tables"]["events"][0]["occurred_at"].endswith("Z")


def test_unknown_user_is_404(app_client: TestClient, scenario: Scenario) -> None:
    response = app_client.get("/v1/users/nobody/export", headers=ADMIN)
    assert response.status_code == 404
    assert "nobody" in response.json()["detail"]


def test_command(
    app_client: TestClient,
    scenario: Scenario,
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = typer.Typer()
    register(app)
    monkeypatch.setenv("DATABASE_URL", db.url.render_as_string(hide_password=False))
    target = tmp_path / "export.json"
    result = CliRunner().invoke(app, ["export-user", TARGET, "--output", str(target)])
    assert result.exit_code == 0, result.output
    from_file = orjson.loads(target.read_bytes())
    from_api = exported(app_client, TARGET)
    assert from_file["tables"] == from_api["tables"]
    printed = CliRunner().invoke(app, ["export-user", TARGET])
    assert orjson.loads(printed.stdout)["tables"] == from_api["tables"]
    assert CliRunner().invoke(app, ["export-user", "nobody"]).exit_code == 1
