"""Every endpoint answers the figures that the scenario's own facts imply, on every database."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from chatlytics.store.timing import utcnow
from tests.analytics import expected
from tests.analytics.support import assert_matches, get, load, windows
from tests.helpers import READ
from tests.scenario import Facts, Scenario, build, facts


@dataclass(frozen=True)
class Loaded:
    client: TestClient
    scenario: Scenario
    facts: Facts


@pytest.fixture
def loaded(app_client: TestClient) -> Loaded:
    scenario = build(seed=7)
    load(app_client, scenario)
    return Loaded(app_client, scenario, facts(scenario))


@pytest.mark.parametrize("interval", ["hour", "day", "week"])
def test_overview(loaded: Loaded, interval: str) -> None:
    for ask in windows(loaded.scenario):
        answer = get(loaded.client, "/analytics/", **ask.params, interval=interval)
        want = expected.overview(loaded.facts, ask.start, ask.end, interval, loaded.scenario.now)
        assert_matches(answer, want, ask.name)


def test_overview_defaults_to_daily_buckets(loaded: Loaded) -> None:
    ask = windows(loaded.scenario)[0]
    answer = get(loaded.client, "/analytics/", **ask.params)
    assert_matches(
        answer["series"],
        expected.overview(loaded.facts, ask.start, ask.end, "day", loaded.scenario.now)["series"],
    )


def test_sessions(loaded: Loaded) -> None:
    for ask in windows(loaded.scenario):
        answer = get(loaded.client, "/analytics/sessions", **ask.params)
        today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
        want = expected.sessions(loaded.facts, ask.start, ask.end, loaded.scenario.now, today)
        assert_matches(answer, want, ask.name)


def test_conversations(loaded: Loaded) -> None:
    for ask in windows(loaded.scenario):
        answer = get(loaded.client, "/analytics/conversations", **ask.params)
        want = expected.conversations(loaded.facts, ask.start, ask.end, loaded.scenario.now)
        assert_matches(answer, want, ask.name)


def test_messages(loaded: Loaded) -> None:
    for ask in windows(loaded.scenario):
        answer = get(loaded.client, "/analytics/messages", **ask.params)
        assert_matches(answer, expected.messages(loaded.facts, ask.start, ask.end), ask.name)


def test_message_content_comes_back_as_sent(loaded: Loaded) -> None:
    answer = get(loaded.client, "/analytics/messages", **windows(loaded.scenario)[0].params)
    questions = [m for m in answer["recent_messages"] if m["message_type"] == "user"]
    assert questions, "the scenario's recent messages include questions"
    assert all('<b>&amp;</b> "quoted"' in m["content"] for m in questions)


def test_leads(loaded: Loaded) -> None:
    for ask in windows(loaded.scenario):
        answer = get(loaded.client, "/analytics/leads", **ask.params)
        assert_matches(answer, expected.leads(loaded.facts, ask.start, ask.end), ask.name)


def test_handovers(loaded: Loaded) -> None:
    for ask in windows(loaded.scenario):
        answer = get(loaded.client, "/analytics/human_handover", **ask.params)
        assert_matches(answer, expected.handovers(loaded.facts, ask.start, ask.end), ask.name)


@pytest.mark.parametrize("interval", ["hour", "day", "week"])
def test_events(loaded: Loaded, interval: str) -> None:
    for ask in windows(loaded.scenario):
        answer = get(loaded.client, "/analytics/events", **ask.params, interval=interval)
        want = expected.events(loaded.facts, ask.start, ask.end, interval)
        assert_matches(answer, want, ask.name)
    custom = {t["type"]: t["custom"] for t in answer["by_type"]}
    assert custom["pricing.viewed"] is True
    assert custom["page_view"] is False


def test_every_user(loaded: Loaded) -> None:
    users = sorted({e.user_id for e in loaded.scenario.events})
    for user_id in users:
        answer = get(loaded.client, f"/analytics/user/{user_id}")
        assert_matches(answer, expected.user(loaded.facts, user_id, loaded.scenario.now), user_id)


def test_unknown_user_is_404(loaded: Loaded) -> None:
    response = loaded.client.get("/analytics/user/nobody", headers=READ)
    assert response.status_code == 404
    assert "nobody" in response.json()["detail"]


def test_the_scenario_covers_every_case() -> None:
    """The figures above are only worth what the scenario exercises."""
    scenario = build(seed=7)
    f, now = facts(scenario), scenario.now
    sessions = {(expected.session_status(s, now), s.timed_out(now)) for s in f.sessions.values()}
    assert sessions >= {
        ("active", False),
        ("completed", False),
        ("completed", True),
        ("error", False),
    }
    assert {s.end_source for s in f.sessions.values()} >= {"backend", "widget", None}
    assert any(not s.has_backend for s in f.sessions.values())
    conversations = {
        (expected.conversation_status(c, now), c.timed_out(now)) for c in f.conversations.values()
    }
    assert conversations >= {
        ("active", False),
        ("completed", False),
        ("completed", True),
        ("handover", False),
        ("handover", True),
    }
    unnamed = [h for h in f.of_type("handover_requested") if h.conversation_id is None]
    targets = [
        f.conversations[c].started > h.at if (c := f.handover_conversation[h.event_id]) else None
        for h in unnamed
    ]
    assert {True, False, None} <= set(targets)
    assert any(e.properties.get("fallback") for e in f.of_type("bot_response"))
    for kind in ("error", "system_message", "pricing.viewed", "lead_submitted"):
        assert f.of_type(kind), kind
    users = {e.user_id for e in scenario.events}
    firsts = {u: min(e.at for e in scenario.events if e.user_id == u) for u in users}
    assert any(at < scenario.window_start for at in firsts.values())
    assert any(s.started < scenario.window_start <= s.last for s in f.sessions.values())
