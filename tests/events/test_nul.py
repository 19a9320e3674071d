"""Only the NUL character is refused: the six characters `\\u0000` written out are ordinary text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from chatlytics.events import Rejection, ValidEvent, validate_event
from chatlytics.store.database import Database
from chatlytics.store.schema import messages
from tests.helpers import event, post_events

LITERAL = "C:\\u0000 and \\\\u0000 are text"  # a backslash, u, 0, 0, 0, 0 (twice)


def check(raw: object) -> ValidEvent | Rejection:
    return validate_event(0, raw, sent_at=None, received_at=datetime.now(UTC))


@pytest.mark.parametrize(
    "raw",
    [
        event("user_message", conversation="c", content="a\x00b"),
        event("user_message", conversation="c", content="\\\x00"),  # backslash, then NUL
        event("user_message", conversation="c", content=LITERAL + "\x00"),
        {**event("page_view"), "properties": {"key\x00": 1}},
        {**event("page_view"), "page_url": "/\x00"},
    ],
)
def test_the_nul_character_is_refused(raw: dict[str, object]) -> None:
    result = check(raw)
    assert isinstance(result, Rejection)
    assert "NUL" in result.error


def test_a_written_out_escape_is_text(app_client: TestClient, db: Database) -> None:
    raw = event("user_message", conversation="c", content=LITERAL, note="\\u0000")
    assert isinstance(check(raw), ValidEvent)
    assert post_events(app_client, [raw])["accepted"] == 1
    with db.read() as conn:
        assert conn.execute(sa.select(messages.c.content)).scalar_one() == LITERAL
