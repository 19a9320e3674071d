"""Privacy at ingest: redaction, reduced clients, bots, consent, pseudonyms, rate limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from chatlytics.app import create_app
from chatlytics.ingest.pseudonym import pseudonym
from chatlytics.store.anonymous import total_counts
from chatlytics.store.database import Database
from chatlytics.store.schema import (
    events,
    failed_events,
    human_handover,
    lead_analytics,
    messages,
    metadata,
    sessions,
)
from tests.conftest import make_settings
from tests.helpers import WRITE, event

CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
PII = "write to ada.lovelace@example.org or call +1 415 555 2671, card 4111 1111 1111 1111"
REDACTED = "write to [email] or call [phone], card [card]"


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    app = create_app(make_settings(), db=db)
    with TestClient(app, client=("203.0.113.77", 50000)) as test_client:
        yield test_client


def post(client: TestClient, batch: list[Any], **headers: str) -> dict[str, object]:
    response = client.post("/v1/events", json={"events": batch}, headers={**WRITE, **headers})
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


def every_text(db: Database) -> str:
    """All stored rows of every table, as one text to search."""
    parts: list[str] = []
    with db.read() as conn:
        for table in metadata.sorted_tables:
            parts.extend(str(tuple(row)) for row in conn.execute(sa.select(table)))
    return "\n".join(parts)


def test_free_text_is_redacted_everywhere_but_lead_contacts_are_kept(
    client: TestClient, db: Database
) -> None:
    batch = [
        event("user_message", conversation="c1", content=PII),
        event("widget_close", time_spent_seconds=3, last_user_message=PII),
        event("handover_requested", issues=["price"], support_option="call", other_text=PII),
        event(
            "lead_submitted",
            lead_type="callback",
            name="Ada",
            email="ada@example.org",
            phone="+1 415 555 2671",
            note=PII,
        ),
        {**event("page_view"), "page_url": "https://shop.example/?email=ada.lovelace@example.org"},
        {**event("feedback", rating=9, comment=PII)},  # rejected: kept redacted too
    ]
    result = post(client, batch)
    assert (result["accepted"], len(result["rejected"])) == (5, 1)  # type: ignore[arg-type]
    with db.read() as conn:
        assert conn.execute(sa.select(messages.c.content)).scalar_one() == REDACTED
        assert conn.execute(sa.select(human_handover.c.other_text)).scalar_one() == REDACTED
        lead = conn.execute(sa.select(lead_analytics)).one()
        raw_lead = conn.execute(
            sa.select(events.c.properties).where(events.c.type == "lead_submitted")
        ).scalar_one()
        failed = conn.execute(sa.select(failed_events.c.raw)).scalar_one()
    assert (lead.email, lead.phone) == ("ada@example.org", "+1 415 555 2671")
    assert orjson.loads(raw_lead)["note"] == REDACTED
    assert orjson.loads(failed)["properties"]["comment"] == REDACTED
    stored = every_text(db)
    assert "ada.lovelace@example.org" not in stored
    assert "4111 1111 1111 1111" not in stored
    assert "https://shop.example/?email=[email]" in stored


def test_ordinary_numbers_are_not_mistaken_for_phones_or_cards(
    client: TestClient, db: Database
) -> None:
    text = "205/55 R16 for 129.99 on 2026-11-26, order 1234567890123, ref 4111111111111112"
    post(client, [event("user_message", conversation="c1", content=text)])
    with db.read() as conn:
        assert conn.execute(sa.select(messages.c.content)).scalar_one() == text


@pytest.mark.parametrize("depth", [300, 700, 1000])
def test_text_nested_deeper_than_python_s_stack_is_redacted_and_refused_not_a_500(
    client: TestClient, db: Database, depth: int
) -> None:
    # The body parser takes up to 1,024 levels; the redactor walks them all before the validator
    # refuses the event for its depth. Nested in properties, and as the whole event; both are kept
    # in failed_events, cut where JSON writers stop.
    inner = b"[" * depth + orjson.dumps(PII) + b"]" * depth
    chat = orjson.dumps(event("user_message", conversation="c1", content="hi"))
    fine = orjson.dumps(event("page_view", session="fine"))
    body = (
        b'{"events": ['
        + (chat[:-1] + b', "properties": {"deep": ' + inner + b"}}, ")
        + (inner + b", " + fine + b"]}")
    )
    response = client.post("/v1/events", content=body, headers=WRITE)
    assert response.status_code == 200, response.text
    assert [r["index"] for r in response.json()["rejected"]] == [0, 1]
    assert response.json()["accepted"] == 1
    assert "ada.lovelace@example.org" not in every_text(db)
    with db.read() as conn:
        kept = conn.execute(sa.select(failed_events.c.raw)).scalars().all()
    assert len(kept) == 2
    assert all(orjson.loads(raw) is not None for raw in kept)


def test_the_client_is_reduced_to_network_and_device(client: TestClient, db: Database) -> None:
    post(client, [event("page_view", session="w")], **{"User-Agent": IPHONE})
    backend = event("session_start", session="b", client_info=CHROME_ON_WINDOWS)
    assert post(client, [backend], **{"User-Agent": "python-httpx/0.28"})["accepted"] == 1
    with db.read() as conn:
        rows = {r.session_id: r for r in conn.execute(sa.select(sessions))}
        ips = dict(conn.execute(sa.select(events.c.session_id, events.c.client_ip)).all())
    assert (rows["w"].browser, rows["w"].os, rows["w"].device_type) == (
        "Mobile Safari",
        "iOS",
        "mobile",
    )
    assert (rows["b"].browser, rows["b"].os, rows["b"].device_type) == (
        "Chrome",
        "Windows",
        "desktop",
    )
    assert ips == {"w": "203.0.113.0", "b": None}  # a backend request comes from the chat server
    stored = every_text(db)
    assert "203.0.113.77" not in stored
    assert "AppleWebKit" not in stored


def test_known_bots_are_counted_not_stored(client: TestClient, db: Database) -> None:
    result = post(client, [event("page_view"), event("widget_open")], **{"User-Agent": GOOGLEBOT})
    assert (result["accepted"], result["discarded"]) == (0, 2)
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(events)).scalar_one() == 0
        assert total_counts(conn) == {"bot": 2}


def test_events_without_consent_are_only_counted(client: TestClient, db: Database) -> None:
    declined = {**event("user_message", conversation="c", content="hi"), "consent": False}
    result = post(client, [declined, event("page_view", user="u2", session="s2")])
    assert (result["accepted"], result["discarded"]) == (1, 1)
    with db.read() as conn:
        assert conn.execute(sa.select(events.c.user_id)).scalars().all() == ["u2"]
        assert total_counts(conn) == {"no_consent": 1}


def test_user_ids_can_be_pseudonymized(db: Database) -> None:
    secret = "a-long-enough-secret-value"
    settings = make_settings(PSEUDONYMIZE_USER_IDS="true", USER_ID_SECRET=secret)
    with TestClient(create_app(settings, db=db)) as test_client:
        post(test_client, [event("page_view", user="alice@example.org"), {"type": "x"}])
    expected = pseudonym("alice@example.org", secret)
    assert expected.startswith("p_")
    assert expected == pseudonym("alice@example.org", secret)
    assert expected != pseudonym("alice@example.org", secret + "!")
    stored = every_text(db)
    assert expected in stored
    assert "alice" not in stored


def test_pseudonyms_need_a_secret() -> None:
    with pytest.raises(ValueError, match="USER_ID_SECRET"):
        make_settings(PSEUDONYMIZE_USER_IDS="true")


def test_rate_limits_answer_429_with_retry_after(db: Database, sqlite_only: None) -> None:
    settings = make_settings(RATE_LIMIT_PER_KEY="3/minute", RATE_LIMIT_PER_ADDRESS="0")
    with TestClient(create_app(settings, db=db)) as test_client:
        answers = [
            test_client.post("/v1/events", json={"events": [event("page_view")]}, headers=WRITE)
            for _ in range(4)
        ]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[3].headers["Retry-After"]) >= 1
    assert "rate limit" in answers[3].json()["detail"]


def test_a_chat_server_is_never_taken_for_a_bot(client: TestClient, db: Database) -> None:
    backend = event("user_message", conversation="c", content="hello")
    widget = event("page_view")
    result = post(client, [backend, widget], **{"User-Agent": "python-httpx/0.28.1"})
    assert (result["accepted"], result["discarded"]) == (1, 1)
    with db.read() as conn:
        assert conn.execute(sa.select(events.c.type)).scalars().all() == ["user_message"]
