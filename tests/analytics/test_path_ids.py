"""Looking up an id that cannot be stored is a plain 404 on every database, after the key check.

Ingest refuses the NUL character, so no stored id holds one; PostgreSQL refuses a query naming it,
which must not surface as a 503 "storage unavailable".
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.helpers import ADMIN, READ, WRITE, event, post_events

LOOKUPS = [
    ("GET", "/analytics/user/{}", READ),
    ("GET", "/analytics/conversation/{}", READ),
    ("GET", "/v1/users/{}/export", ADMIN),
    ("DELETE", "/v1/users/{}", ADMIN),
]
NEVER_STORED = ["%00", "a%00b", "u1%00", "%00%00", "x" * 10_000, "%ff%fe", "..%2F..%2Fetc"]


@pytest.mark.parametrize(("method", "path", "key"), LOOKUPS)
def test_an_id_no_event_can_carry_is_404_with_a_reason(
    app_client: TestClient, method: str, path: str, key: dict[str, str]
) -> None:
    post_events(app_client, [event("user_message", user="u1", conversation="c1", content="hi")])
    for value in NEVER_STORED:
        response = app_client.request(method, path.format(value), headers=key)
        assert response.status_code == 404, (value, response.text)
        assert "unknown" in response.json()["detail"]
    known = path.format("u1" if "user" in path else "c1")
    assert app_client.request(method, known, headers=key).status_code == 200


@pytest.mark.parametrize(("method", "path", "key"), LOOKUPS)
def test_the_key_is_checked_before_the_id(
    app_client: TestClient, method: str, path: str, key: dict[str, str]
) -> None:
    assert app_client.request(method, path.format("a%00b")).status_code == 401
    assert app_client.request(method, path.format("a%00b"), headers=WRITE).status_code == 403
