"""Redaction leaves ids alone: the catalogue's id properties are stored as sent, whatever they hold."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from chatlytics.ingest import redact
from chatlytics.ingest.redact import Redactor
from chatlytics.store.database import Database
from chatlytics.store.schema import lead_analytics, messages
from tests.helpers import event, post_events

PHONE = "415-867-5309"
ID = f"msg-{PHONE}"  # reads as a phone number, but it is an id


def test_id_properties_are_never_redacted() -> None:
    redactor = Redactor("US")
    cases = [
        ("user_message", {"message_id": ID, "content": f"call {PHONE}"}, "message_id"),
        ("bot_response", {"message_id": ID, "content": "x", "latency_ms": 1}, "message_id"),
        ("system_message", {"message_id": ID, "content": "x"}, "message_id"),
        ("lead_submitted", {"lead_id": ID, "lead_type": "call"}, "lead_id"),
        ("product_interest", {"product_id": ID, "product_name": "x"}, "product_id"),
    ]
    for kind, properties, key in cases:
        out = redactor.event({"type": kind, "properties": properties})
        assert out["properties"][key] == ID, kind
    message = redactor.event({"type": "user_message", "properties": cases[0][1]})
    assert message["properties"]["content"] == "call [phone]"
    custom = redactor.event({"type": "custom.call", "properties": {"message_id": ID}})
    assert custom["properties"]["message_id"] == "msg-[phone]"  # not a catalogue id: free text


def test_short_numbers_and_digits_spread_over_words_are_left_as_they_are() -> None:
    redactor = Redactor("US")
    for text in ("order 48213", "1 2 3 4 5 6", "3f20184a9b7c6d52", "2026-11-26"):
        assert redactor.text(text) == text


def test_a_message_id_is_stored_as_sent(app_client: TestClient, db: Database) -> None:
    batch = [
        event("user_message", conversation="c", content=f"call {PHONE}", message_id=ID),
        event("lead_submitted", lead_type="call", lead_id=ID),
    ]
    assert post_events(app_client, batch)["accepted"] == 2
    with db.read() as conn:
        stored = conn.execute(sa.select(messages.c.message_id, messages.c.content)).one()
        lead_id = conn.execute(sa.select(lead_analytics.c.lead_id)).scalar_one()
    assert tuple(stored) == (ID, "call [phone]")
    assert lead_id == ID


def test_only_texts_without_a_phone_number_are_remembered() -> None:
    redactor = Redactor("US")
    clean, dirty = "screen 1920x1080", f"call {PHONE} now"
    for _ in range(3):
        assert redactor.text(clean) == clean
        assert redactor.text(dirty) == "call [phone] now"
    assert redactor._no_phone == {clean}  # the number is never kept


def test_the_texts_remembered_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(redact, "KNOWN_CLEAN", 3)
    redactor = Redactor("US")
    for n in range(10):
        redactor.text(f"build 1.2.3.{n:04d}")
    assert 0 < len(redactor._no_phone) <= 3
