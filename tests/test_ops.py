"""Operations endpoints and the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from chatlytics.cli import app as cli
from tests.helpers import READ, event, post_events


def test_health_ready_and_metrics(app_client: TestClient) -> None:
    assert app_client.get("/healthz").json() == {"status": "ok"}
    ready = app_client.get("/readyz")
    assert ready.status_code == 200, ready.text
    post_events(app_client, [event("page_view"), event("page_view")])
    app_client.post(
        "/v1/events",
        json={"events": [{"type": "x"}]},
        headers={"Authorization": "Bearer test-write"},
    )
    text = app_client.get("/metrics").text
    for name in (
        "chatlytics_events_total",
        "chatlytics_batch_events",
        "chatlytics_commit_seconds",
        "chatlytics_writer_queue_events",
        "chatlytics_request_seconds",
    ):
        assert name in text
    assert 'route="/v1/events"' in text


def test_openapi_documents_the_api(app_client: TestClient) -> None:
    paths = app_client.get("/openapi.json").json()["paths"]
    for path in (
        "/v1/events",
        "/v1/failed_events",
        "/analytics/",
        "/analytics/sessions",
        "/analytics/messages",
        "/healthz",
        "/readyz",
    ):
        assert path in paths


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+pysqlite:///{path}")
    for name in ("CHATLYTICS_WRITE_KEY", "CHATLYTICS_READ_KEY", "CHATLYTICS_ADMIN_KEY"):
        monkeypatch.delenv(name, raising=False)
    return path


def test_cli_migrate_and_keys(sqlite_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    created = runner.invoke(cli, ["keys", "create", "--role", "read", "--label", "dash"])
    assert created.exit_code == 0, created.output
    key = created.output.strip()
    assert key.startswith("cl_r_")
    listed = runner.invoke(cli, ["keys", "list"]).output
    assert key[:12] in listed
    assert "dash" in listed

    from chatlytics.app import create_app
    from chatlytics.settings import Settings

    monkeypatch.setenv("KEY_CACHE_SECONDS", "0")
    with TestClient(create_app(Settings())) as client:
        auth = {"Authorization": f"Bearer {key}"}
        assert client.get("/analytics/", headers=auth).status_code == 200
        assert client.get("/analytics/", headers=READ).status_code == 401
        revoked = runner.invoke(cli, ["keys", "revoke", key[:12]])
        assert revoked.exit_code == 0, revoked.output
        assert client.get("/analytics/", headers=auth).status_code == 401
    assert runner.invoke(cli, ["keys", "revoke", key[:12]]).exit_code == 1
    bad = runner.invoke(cli, ["keys", "create", "--role", "root"])
    assert bad.exit_code != 0


def test_first_start_generates_one_key_per_role(sqlite_env: Path) -> None:
    from chatlytics.cli import ensure_keys
    from chatlytics.settings import Settings
    from chatlytics.store.database import Database
    from chatlytics.store.migrate import upgrade

    settings = Settings()
    db = Database.connect(settings.sqlalchemy_url())
    upgrade(db)
    created = ensure_keys(settings, db)
    assert sorted(created) == ["admin", "read", "write"]
    assert ensure_keys(settings, db) == {}
    db.dispose()


def test_cors_is_open_for_ingestion_only(app_client: TestClient) -> None:
    origin = {"Origin": "https://shop.example"}
    preflight = app_client.options(
        "/v1/events",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    for path in ("/analytics/", "/analytics/leads", "/analytics/human_handover"):
        # The last two are also legacy ingestion paths, for POST.
        read = app_client.get(path, headers={**origin, **READ})
        assert read.status_code == 200, path
        assert "access-control-allow-origin" not in read.headers, path
    legacy = app_client.options(
        "/analytics/leads",
        headers={**origin, "Access-Control-Request-Method": "POST"},
    )
    assert legacy.headers["access-control-allow-origin"] == "*"


def test_security_headers_on_every_response(app_client: TestClient) -> None:
    for path in ("/healthz", "/analytics/", "/v1/events", "/nowhere"):
        response = app_client.get(path, headers=READ)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["referrer-policy"] == "no-referrer", path
        assert response.headers["x-frame-options"] == "DENY", path
