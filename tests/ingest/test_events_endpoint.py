"""POST /v1/events: acceptance, duplicates, rejections kept with their reason, whole-request errors."""

from __future__ import annotations

import gzip
from datetime import timedelta

import orjson
import sqlalchemy as sa
from fastapi.testclient import TestClient

from chatlytics.events import Rejection
from chatlytics.store.database import Database
from chatlytics.store.schema import events, failed_events, messages, sessions
from tests.conftest import make_settings
from tests.helpers import ADMIN, READ, WRITE, ago, event, iso, post_events


def count(db: Database, table: sa.Table) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_valid_events_are_stored_and_counted(app_client: TestClient, db: Database) -> None:
    batch = [
        event("session_start"),
        event("user_message", conversation="c1", content="hi"),
        event("custom.thing", answer=42),
    ]
    assert post_events(app_client, batch) == {
        "accepted": 3,
        "duplicates": 0,
        "rejected": [],
        "discarded": 0,
    }
    assert count(db, events) == 3
    assert count(db, messages) == 1
    assert count(db, sessions) == 1


def test_a_resent_batch_is_all_duplicates_and_changes_nothing(
    app_client: TestClient, db: Database
) -> None:
    batch = [event("session_start"), event("user_message", conversation="c1", content="hi")]
    post_events(app_client, batch)
    with db.read() as conn:
        before = [dict(r._mapping) for r in conn.execute(sa.select(sessions))]
    assert post_events(app_client, batch) == {
        "accepted": 0,
        "duplicates": 2,
        "rejected": [],
        "discarded": 0,
    }
    with db.read() as conn:
        after = [dict(r._mapping) for r in conn.execute(sa.select(sessions))]
    assert after == before
    assert count(db, events) == 2
    assert count(db, messages) == 1


def test_the_same_id_twice_in_one_batch_is_stored_once(
    app_client: TestClient, db: Database
) -> None:
    one = event("widget_open")
    result = post_events(app_client, [one, dict(one)])
    assert (result["accepted"], result["duplicates"]) == (1, 1)
    assert count(db, events) == 1


def test_ids_are_case_sensitive_on_every_database(app_client: TestClient, db: Database) -> None:
    batch = [event("page_view", event_id="Abc", session="S"), event("page_view", event_id="abc")]
    assert post_events(app_client, batch)["accepted"] == 2
    assert count(db, sessions) == 2


REJECTIONS = [
    ({"type": "page_view"}, "event_id"),
    ("not an object", "JSON object"),
    ({**event("page_view"), "timestamp": "2026-11-26T10:00:00"}, "offset"),
    ({**event("page_view"), "timestamp": 1764151200}, "RFC 3339"),
    ({**event("page_view"), "timestamp": "yesterday"}, "RFC 3339"),
    ({**event("page_view"), "type": "Bad Type"}, "type"),
    ({**event("page_view"), "user_id": ""}, "user_id"),
    ({**event("page_view"), "event_id": "e1 "}, "white space"),
    ({**event("page_view"), "session_id": "x" * 256}, "session_id"),
    ({**event("page_view"), "source": "phone"}, "source"),
    ({**event("page_view"), "unknown_field": 1}, "unknown_field"),
    (event("user_message", content="no conversation"), "conversation_id"),
    (event("bot_response", conversation="c", content="x"), "latency_ms"),
    (event("bot_response", conversation="c", content="x", latency_ms=-1), "latency_ms"),
    (event("feedback", rating=7), "rating"),
    (event("session_end", status="finished"), "status"),
    (event("navigation", from_url="/a"), "to_url"),
    (event("handover_requested", issues="all", support_option="call"), "issues"),
    (event("page_view", title="x" * 40_000), "larger than"),
    ({**event("page_view"), "properties": []}, "properties"),
    ({**event("page_view"), "timestamp": "1969-12-31T23:59:59Z"}, "1970"),
    (event("user_message", conversation="c", content="a\x00b"), "NUL"),
    (
        event("bot_response", conversation="c", content="x", latency_ms=1, tokens_in=2**31),
        "tokens_in",
    ),
    ({**event("page_view"), "timestamp": "1970-01-01T00:30:00+01:00"}, "1970"),
    ({**event("page_view"), "timestamp": "2026-W48-4T10:00:00Z"}, "RFC 3339"),
    # Ids of NULs: written out as \u0000 they grow six-fold, and must still fit failed_events.
    ({**event("page_view"), "user_id": "\x00" * 43, "event_id": "\x00" * 255}, "NUL"),
]


def test_each_invalid_event_is_rejected_with_its_reason_and_kept(
    app_client: TestClient, db: Database
) -> None:
    good = event("page_view")
    batch = [good] + [raw for raw, _ in REJECTIONS]
    result = post_events(app_client, batch)
    assert result["accepted"] == 1
    assert [r["index"] for r in result["rejected"]] == list(range(1, len(batch)))
    for rejected, (_, expected) in zip(result["rejected"], REJECTIONS, strict=True):
        assert expected in rejected["error"], rejected
    assert count(db, failed_events) == len(REJECTIONS)
    listed = app_client.get("/v1/failed_events?limit=1000", headers=ADMIN).json()
    assert listed["total"] == len(REJECTIONS)
    assert {orjson.dumps(item["raw"]) for item in listed["items"]} == {
        orjson.dumps(raw) for raw, _ in REJECTIONS
    }
    assert all(item["reason"] for item in listed["items"])


def test_failed_events_need_the_admin_key(app_client: TestClient) -> None:
    assert app_client.get("/v1/failed_events").status_code == 401
    assert app_client.get("/v1/failed_events", headers=READ).status_code == 403
    assert app_client.get("/v1/failed_events", headers=WRITE).status_code == 403


def test_keys_are_checked(app_client: TestClient) -> None:
    body = {"events": [event("page_view")]}
    assert app_client.post("/v1/events", json=body).status_code == 401
    bad = {"Authorization": "Bearer nope"}
    assert app_client.post("/v1/events", json=body, headers=bad).status_code == 401
    assert app_client.post("/v1/events", json=body, headers=READ).status_code == 403
    header = {"X-Write-Key": "test-write"}
    assert app_client.post("/v1/events", json=body, headers=header).status_code == 200
    in_body = {"events": [event("page_view")], "write_key": "test-write"}
    assert app_client.post("/v1/events", json=in_body).status_code == 200


def test_whole_request_errors_store_nothing(app_client: TestClient, db: Database) -> None:
    cases = [
        (b"not json", 400),
        (b"[]", 400),
        (b'{"events": []}', 400),
        (b'{"events": "x"}', 400),
        (orjson.dumps({"events": [event("page_view")] * 501}), 413),
        (orjson.dumps({"events": [event("page_view", pad="x" * 30_000)] * 20}), 413),
        (orjson.dumps({"events": [event("page_view")], "sent_at": "soon"}), 400),
    ]
    for body, status in cases:
        response = app_client.post("/v1/events", content=body, headers=WRITE)
        assert response.status_code == status, (body[:40], response.text)
        assert response.json()["detail"]
    assert count(db, events) == 0
    assert count(db, failed_events) == 0


def test_beacon_text_plain_and_gzip_bodies(app_client: TestClient, db: Database) -> None:
    body = orjson.dumps({"events": [event("page_hidden")], "write_key": "test-write"})
    plain = app_client.post("/v1/events", content=body, headers={"Content-Type": "text/plain"})
    assert plain.json()["accepted"] == 1
    zipped = gzip.compress(orjson.dumps({"events": [event("page_visible")]}))
    response = app_client.post(
        "/v1/events", content=zipped, headers={**WRITE, "Content-Encoding": "gzip"}
    )
    assert response.json()["accepted"] == 1
    bomb = gzip.compress(b'{"events": [' + b" " * (600 * 1024) + b"]}")
    response = app_client.post(
        "/v1/events", content=bomb, headers={**WRITE, "Content-Encoding": "gzip"}
    )
    assert response.status_code == 413
    broken = app_client.post(
        "/v1/events", content=b"\x1f\x8bnope", headers={**WRITE, "Content-Encoding": "gzip"}
    )
    assert broken.status_code == 400
    assert count(db, events) == 2


def test_clock_skew_is_corrected_and_clamped(app_client: TestClient, db: Database) -> None:
    # The sender's clock runs 2 hours fast: its timestamp and sent_at both carry the offset.
    skew = timedelta(hours=2)
    happened = ago(minutes=5)
    fast = event("page_view", at=happened + skew, event_id="skewed")
    post_events(app_client, [fast], sent_at=ago(seconds=0) + skew)
    future = event("page_view", at=ago(minutes=-60), event_id="future")
    post_events(app_client, [future])
    with db.read() as conn:
        rows = {r.event_id: r for r in conn.execute(sa.select(events))}
    corrected = rows["skewed"].occurred_at
    assert abs((corrected - happened.replace(tzinfo=None)).total_seconds()) < 5
    assert rows["future"].occurred_at == rows["future"].received_at


def test_disabled_analytics_answers_202_and_stores_nothing(db: Database) -> None:
    from chatlytics.app import create_app

    settings = make_settings(ANALYTICS_ENABLED="false")
    with TestClient(create_app(settings, db=db)) as client:
        response = client.post("/v1/events", json={"events": [event("page_view")]})
    assert response.status_code == 202
    assert count(db, events) == 0


def test_storage_down_answers_503_with_retry_after(
    db: Database, sqlite_only: None, tmp_path: object
) -> None:
    from chatlytics.app import create_app

    broken = Database.connect("sqlite+pysqlite:////nonexistent-dir/x.db")
    with TestClient(create_app(make_settings(), db=broken)) as client:
        response = client.post("/v1/events", json={"events": [event("page_view")]}, headers=WRITE)
        assert response.status_code == 503
        assert response.headers["Retry-After"]
        read = client.get("/analytics/", headers=READ)
        assert read.status_code == 503


def test_timestamps_round_trip_as_rfc3339(app_client: TestClient, db: Database) -> None:
    at = ago(minutes=3)
    post_events(app_client, [event("page_view", at=at, event_id="t1")])
    with db.read() as conn:
        stored = conn.execute(sa.select(events.c.client_timestamp)).scalar_one()
    assert iso(stored.replace(tzinfo=at.tzinfo)) == iso(at)


def test_a_header_key_is_checked_before_the_body_is_read(app_client: TestClient) -> None:
    bad = {"Authorization": "Bearer nope"}
    assert app_client.post("/v1/events", content=b"not json", headers=bad).status_code == 401
    assert app_client.post("/v1/events", content=b"not json", headers=READ).status_code == 403


def test_property_types_are_strict(app_client: TestClient) -> None:
    cases = [
        event("bot_response", conversation="c", content="x", latency_ms="120"),
        event("bot_response", conversation="c", content="x", latency_ms=5, fallback="yes"),
        event("feedback", rating=True),
        event("feedback", rating=1.0),
    ]
    result = post_events(app_client, cases)
    assert result["accepted"] == 0
    assert len(result["rejected"]) == len(cases)


def test_performance_samples_make_no_session_or_user(app_client: TestClient) -> None:
    post_events(app_client, [event("performance", user="server:web-1", cpu_percent=12.5)])
    overview = app_client.get("/analytics/", headers=READ).json()
    assert (overview["total_sessions"], overview["total_users"]) == (0, 0)
    events_seen = app_client.get("/analytics/events", headers=READ).json()
    assert "performance" in str(events_seen)


def test_writer_signals_commits_to_live_views(db: Database) -> None:
    import asyncio

    from chatlytics.events import validate_event
    from chatlytics.store.writer import BatchWriter

    async def scenario() -> tuple[int, int, int]:
        writer = BatchWriter(db, max_events=100, flush_ms=5, queue_events=1000, timeout_s=1800)
        await writer.start()
        waiting = asyncio.create_task(writer.wait_for_commit(0, timeout=10))
        now = ago(seconds=0)
        checked = validate_event(0, event("page_view"), sent_at=None, received_at=now)
        assert not isinstance(checked, Rejection)
        await writer.submit([checked], [], now)
        seen = await waiting
        timed_out = await writer.wait_for_commit(seen, timeout=0.05)  # nothing new
        await writer.submit([checked], [], now)  # a duplicate stores nothing: no signal
        after_duplicate = await writer.wait_for_commit(seen, timeout=0.05)
        await writer.stop()
        return seen, timed_out, after_duplicate

    assert asyncio.run(scenario()) == (1, 1, 1)


def test_a_null_fallback_is_no_fallback(app_client: TestClient, db: Database) -> None:
    reply = event("bot_response", conversation="c", content="x", latency_ms=5, fallback=None)
    assert post_events(app_client, [reply])["accepted"] == 1
    with db.read() as conn:
        assert conn.execute(sa.select(messages.c.fallback)).scalar_one() is False


def test_failed_events_paging_bound_is_checked(app_client: TestClient) -> None:
    answer = app_client.get("/v1/failed_events?before_id=9223372036854775808", headers=ADMIN)
    assert answer.status_code == 422


def test_deeply_nested_values_are_rejected_not_a_500(app_client: TestClient) -> None:
    deep = event("page_view")
    body = b'{"events": [' + orjson.dumps(deep)[:-1] + b', "x": ' + b"[" * 300 + b"]" * 300 + b"}]}"
    response = app_client.post("/v1/events", content=body, headers=WRITE)
    assert response.status_code == 200, response.text
    assert "nested too deeply" in response.json()["rejected"][0]["error"]
