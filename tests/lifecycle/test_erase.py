"""Erasure leaves no row naming the person in any table, and every other figure as it would be had the
person never been there: on every database, and on random events (hypothesis)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from chatlytics.app import create_app
from chatlytics.ingest.pseudonym import pseudonym
from chatlytics.lifecycle import erase_user, erasure_matches, register
from chatlytics.store.batch import store_batch
from chatlytics.store.database import Database
from chatlytics.store.erase import erasure_records, failed_naming
from chatlytics.store.schema import metadata
from chatlytics.store.timing import utcnow
from tests.analytics import expected
from tests.analytics.support import assert_matches, get, load, store, windows
from tests.conftest import make_settings
from tests.helpers import ADMIN, READ, WRITE, event, post_events
from tests.lifecycle.support import (
    ANONYMOUS,
    TARGET,
    event_ids,
    mentions,
    refused,
    reject,
    state,
    store_rejected,
    with_person,
)
from tests.scenario import Event, Scenario, build, facts
from tests.store.test_arrival_order import NOW, checked, scenarios, snapshot

MESSAGE_TYPES = ("user_message", "bot_response", "system_message")


def doomed(events: list[Event], user_id: str) -> list[Event]:
    """The documented rule: their events, and all events of the sessions and conversations they
    were in."""
    mine = [e for e in events if e.user_id == user_id]
    spans = {e.session_id for e in mine}
    chats = {e.conversation_id for e in mine if e.conversation_id}
    return [
        e
        for e in events
        if e.user_id == user_id or e.session_id in spans or e.conversation_id in chats
    ]


@dataclass(frozen=True)
class Loaded:
    client: TestClient
    scenario: Scenario
    others: list[str]


@pytest.fixture
def loaded(app_client: TestClient) -> Loaded:
    scenario = with_person(build(seed=7))
    load(app_client, scenario)
    answer = post_events(app_client, refused(scenario.now))
    assert len(answer["rejected"]) == 3
    gone = {e.user_id for e in doomed(scenario.events, TARGET)}
    others = sorted({e.user_id for e in scenario.events} - gone)
    return Loaded(app_client, scenario, others)


def assert_figures(client: TestClient, scenario: Scenario) -> None:
    """Every endpoint answers what the scenario's facts imply (as tests/analytics/test_figures)."""
    f, now = facts(scenario), scenario.now
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    for ask in windows(scenario):
        a, b = ask.start, ask.end
        checks: list[tuple[str, dict[str, str], Any]] = [
            ("/analytics/", {"interval": "day"}, expected.overview(f, a, b, "day", now)),
            ("/analytics/sessions", {}, expected.sessions(f, a, b, now, today)),
            ("/analytics/conversations", {}, expected.conversations(f, a, b, now)),
            ("/analytics/messages", {}, expected.messages(f, a, b)),
            ("/analytics/leads", {}, expected.leads(f, a, b)),
            ("/analytics/human_handover", {}, expected.handovers(f, a, b)),
            ("/analytics/events", {"interval": "day"}, expected.events(f, a, b, "day")),
        ]
        for path, extra, want in checks:
            assert_matches(get(client, path, **ask.params, **extra), want, f"{ask.name} {path}")


def test_erase_leaves_no_trace_and_the_others_as_they_were(loaded: Loaded, db: Database) -> None:
    client, scenario = loaded.client, loaded.scenario
    assert mentions(db, TARGET), "the scan finds the person before"
    per_user = {u: client.get(f"/analytics/user/{u}", headers=READ).json() for u in loaded.others}
    gone = doomed(scenario.events, TARGET)

    response = client.delete(f"/v1/users/{TARGET}", headers=ADMIN)

    assert response.status_code == 200, response.text
    assert mentions(db, TARGET) == {}
    assert mentions(db, ANONYMOUS) == {}
    assert event_ids(db) == {e.event_id for e in scenario.events} - {e.event_id for e in gone}
    left = Scenario(
        scenario.now, scenario.window_start, [e for e in scenario.events if e not in gone]
    )
    assert_figures(client, left)
    for user_id, before in per_user.items():
        assert client.get(f"/analytics/user/{user_id}", headers=READ).json() == before, user_id
    f = facts(Scenario(scenario.now, scenario.window_start, gone))
    types = [e.type for e in gone]
    assert response.json() == {
        "user_id": TARGET,
        "removed": {
            "events": len(gone),
            "failed_events": 2,
            "users": 2,
            "sessions": len(f.sessions),
            "conversations": len(f.conversations),
            "messages": sum(t in MESSAGE_TYPES for t in types),
            "lead_analytics": types.count("lead_submitted"),
            "human_handover": types.count("handover_requested"),
            "chatbot_close_events": types.count("widget_close"),
            "first_events": len(
                {(e.session_id, e.user_id, e.type) for e in gone if e.type != "performance"}
            ),
        },
    }


def test_the_audit_record_keeps_the_fact_not_the_person(loaded: Loaded, db: Database) -> None:
    removed = loaded.client.delete(f"/v1/users/{TARGET}", headers=ADMIN).json()["removed"]
    with db.read() as conn:
        (record,) = erasure_records(conn)
    assert (record.actor, record.counts) == ("api", removed)
    assert erasure_matches(record, TARGET, None)
    assert not erasure_matches(record, "user-03", None)
    again = loaded.client.delete(f"/v1/users/{TARGET}", headers=ADMIN)
    assert again.status_code == 404
    with db.read() as conn:
        assert len(erasure_records(conn)) == 1


@pytest.mark.parametrize(("headers", "status"), [({}, 401), (READ, 403), (WRITE, 403)])
def test_only_an_admin_key_erases(
    app_client: TestClient, db: Database, headers: dict[str, str], status: int
) -> None:
    post_events(app_client, [event("page_view", user="u1")])
    assert app_client.delete("/v1/users/u1", headers=headers).status_code == status
    assert app_client.get("/v1/users/u1/export", headers=headers).status_code == status
    assert event_ids(db), "nothing was erased"


def test_erase_by_the_original_id_when_ids_are_pseudonymized(db: Database) -> None:
    secret = "a-secret-of-16-chars"
    stored = pseudonym("alice@example.com", secret)
    store(db, [event("page_view", user=stored), event("widget_open", user=stored)])
    settings = make_settings(PSEUDONYMIZE_USER_IDS=True, USER_ID_SECRET=secret)
    with TestClient(create_app(settings, db=db)) as client:
        response = client.delete("/v1/users/alice@example.com", headers=ADMIN)
    assert response.status_code == 200, response.text
    assert response.json()["removed"]["events"] == 2
    assert mentions(db, stored) == {}
    with db.read() as conn:
        (record,) = erasure_records(conn)
    assert erasure_matches(record, "alice@example.com", secret)
    assert not erasure_matches(record, "alice@example.com", None)


def test_refused_events_match_the_exact_id(db: Database, sqlite_only: None) -> None:
    at = utcnow()
    store_rejected(db, [reject("u1", at, 1), reject(["u1"], at, 2), reject(["u10", "U1"], at, 3)])
    with db.read() as conn:
        assert len(failed_naming(conn, ["u1"])) == 2


def test_command(loaded: Loaded, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    app = typer.Typer()
    register(app)
    monkeypatch.setenv("DATABASE_URL", db.url.render_as_string(hide_password=False))
    refused_ = CliRunner().invoke(app, ["erase", TARGET], input="n\n")
    assert refused_.exit_code == 1
    assert mentions(db, TARGET)
    result = CliRunner().invoke(app, ["erase", TARGET, "--yes"])
    assert result.exit_code == 0, result.output
    assert f'"user_id": "{TARGET}"' in result.stdout
    assert mentions(db, TARGET) == {}
    with db.read() as conn:
        assert [r.actor for r in erasure_records(conn)] == ["cli"]
    assert CliRunner().invoke(app, ["erase", TARGET, "--yes"]).exit_code == 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=scenarios(), user_id=st.sampled_from(["u1", "u2"]))
def test_any_events(raw: list[dict[str, Any]], user_id: str) -> None:
    db = Database.connect("sqlite+pysqlite:///:memory:")
    metadata.create_all(db.writer)
    with db.write() as conn:
        store_batch(conn, checked(raw), [], now=NOW, timeout_s=1800)
    erase_user(db, user_id, settings=make_settings(), actor="api", now=NOW)
    mine = [e for e in raw if e["user_id"] == user_id]
    spans = {e["session_id"] for e in mine}
    chats = {e.get("conversation_id") for e in mine} - {None}
    left = [
        e
        for e in raw
        if e["user_id"] != user_id
        and e["session_id"] not in spans
        and e.get("conversation_id") not in chats
    ]
    assert state(db) == snapshot([left])
    db.dispose()
