"""SQL and script injection strings, in every text field of every event type and in the ids, are stored
as sent and come back verbatim, as text, from the analytics API and the export.

Each string gets its own visit in its own ten minutes. Every field's value is the string followed by a
tag naming the string and the field (`<string> [3:lead_submitted.email]`), so that any answer showing
a field can be held against exactly what was sent for it: escaped, cut or mangled text is caught
wherever it appears. `make fuzz` sends more strings (NUL, long text) through the live server.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, Literal, get_args, get_origin
from urllib.parse import quote

from fastapi.testclient import TestClient

from chatlytics.events import CATALOGUE
from chatlytics.events.catalogue import Location
from tests.helpers import ADMIN, READ, ago, event, iso, post_events

PAYLOADS = [
    "'; DROP TABLE events; --",
    "Robert'); DROP TABLE users;--",
    '" OR 1=1 --',
    "' UNION SELECT event_id, properties FROM events --",
    "%s%n {0} ${x} {{x}} \\' \\\" \\\\ `; DELETE FROM messages; #",
    "<script>alert(1)</script>",
    "</script><img src=x onerror=alert(document.cookie)>",
    'javascript:alert(1)//"><svg onload=alert(1)>',
]
SLOT = timedelta(minutes=10)
# The text properties of each catalogue type (a test below holds this list to the catalogue).
TEXT: dict[str, tuple[str, ...]] = {
    "page_view": ("title", "referrer"),
    "navigation": ("from_url", "to_url"),
    "widget_close": ("last_user_message", "last_bot_message"),
    "lead_submitted": ("lead_type", "lead_id", "name", "email", "phone"),
    "handover_requested": ("issues", "support_option", "last_message", "other_text"),
    "product_interest": ("product_name", "product_id", "category"),
    "conversion": ("goal", "currency"),
    "feedback": ("comment",),
    "session_start": ("client_info",),
    "session_end": ("reason",),
    "user_message": ("message_id", "content"),
    "bot_response": ("message_id", "content", "model"),
    "system_message": ("message_id", "content"),
    "error": ("kind", "message"),
}
LOCATION = ("city", "region", "country")
OTHERS: dict[str, dict[str, Any]] = {  # the required properties that are not text
    "widget_close": {"time_spent_seconds": 12.5},
    "conversion": {"value": 9.5},
    "feedback": {"rating": 5},
    "session_end": {"status": "completed"},
    "conversation_end": {"status": "handover"},
    "bot_response": {"latency_ms": 850.0},
}
# A visit's order; every catalogue type, then a custom one.
ORDER = ["session_start", "page_view", "navigation", "page_hidden", "page_visible", "widget_open"]
ORDER += ["conversation_start", "user_message", "bot_response", "system_message"]
ORDER += ["product_interest", "conversion", "feedback", "lead_submitted", "handover_requested"]
ORDER += ["error", "performance", "widget_close", "conversation_end", "inj.custom", "session_end"]
# The fields the analytics API shows (beyond the export, which shows them all).
SHOWN = {
    f"{kind}.{field}"
    for kind in ("user_message", "bot_response", "system_message")
    for field in TEXT[kind]
} | {
    *(f"lead_submitted.{f}" for f in (*TEXT["lead_submitted"], "page_url")),
    *(f"handover_requested.{f}" for f in TEXT["handover_requested"]),
    *(f"session_start.location.{f}" for f in LOCATION),
    *(f"product_interest.{f}" for f in TEXT["product_interest"]),
    "error.kind",
}


def _holds_text(annotation: Any) -> bool:
    if annotation is str:
        return True
    if get_origin(annotation) in (Literal, dict):
        return False
    return any(_holds_text(arg) for arg in get_args(annotation))


class Visit:
    """The events made for one string, each text field tagged, and how to read them back."""

    def __init__(self, number: int, payload: str, start: datetime) -> None:
        self.number, self.payload, self.start = number, payload, start
        self.marker = f" [{number}:"
        self.sent: dict[str, str] = {}  # tag -> the value sent under it
        self.user = f"inj{number}-user"
        self.conversation = f"inj{number}-conversation"
        self.id_user = self.tagged("user_id")
        self.id_conversation = self.tagged("conversation_id")
        self.events = [self._event(kind, self.user, f"inj{number}-session") for kind in ORDER]
        made_of_it = (self.id_user, self.tagged("session_id"))
        self.events += [
            self._event(kind, *made_of_it, conversation=self.id_conversation, tag=f"ids.{kind}")
            for kind in ("session_start", "user_message", "lead_submitted")
        ]

    def tagged(self, tag: str) -> str:
        value = f"{self.payload}{self.marker}{tag}]"
        self.sent[tag] = value
        return value

    def _properties(self, kind: str, tag: str) -> dict[str, Any]:
        properties: dict[str, Any] = dict(OTHERS.get(kind, {}))
        for field in TEXT.get(kind, ()):
            properties[field] = self.tagged(f"{tag}.{field}")
        if kind == "conversion":
            properties["currency"] = self.payload[:3]  # three characters, by the contract
        if kind == "handover_requested":
            properties["issues"] = [properties["issues"], "other"]
        if kind == "session_start":
            properties["location"] = {f: self.tagged(f"{tag}.location.{f}") for f in LOCATION}
        if kind == "inj.custom":
            properties = {"note": self.tagged(f"{tag}.note"), self.payload: self.payload}
        return properties

    def _event(
        self, kind: str, user: str, session: str, *, conversation: str = "", tag: str = ""
    ) -> dict[str, Any]:
        tag = tag or kind
        sent = event(
            kind,
            at=self.start + timedelta(seconds=len(self.sent)),
            user=user,
            session=session,
            conversation=conversation or self.conversation,
            event_id=f"inj{self.number}-{tag}",
            **self._properties(kind, tag),
        )
        sent["page_url"] = self.tagged(f"{tag}.page_url")
        return sent

    @property
    def window(self) -> dict[str, str]:
        return {"from": iso(self.start), "to": iso(self.start + SLOT)}

    def shown(self, answer: Any) -> Iterator[tuple[str, str]]:
        """(tag, text) of every string of an answer that carries this visit's marker."""
        if isinstance(answer, dict):
            for value in answer.values():
                yield from self.shown(value)
        elif isinstance(answer, list):
            for value in answer:
                yield from self.shown(value)
        elif isinstance(answer, str) and self.marker in answer:
            yield answer.rsplit(self.marker, 1)[1].rstrip("]"), answer


def read(client: TestClient, path: str, key: dict[str, str], **params: str) -> Any:
    response = client.get(path, params=params, headers=key)
    assert response.status_code == 200, (path, response.text)
    return response.json()


def analytics_routes(client: TestClient) -> list[str]:
    """Every GET /analytics/... of the schema that takes no path parameter."""
    paths = client.get("/openapi.json").json()["paths"]
    return [
        p
        for p, ops in paths.items()
        if p.startswith("/analytics") and "{" not in p and "get" in ops
    ]


def test_the_text_fields_named_here_are_the_catalogue_s() -> None:
    for kind, (_, model) in CATALOGUE.items():
        texts = {n for n, f in model.model_fields.items() if _holds_text(f.annotation)}
        assert texts == set(TEXT.get(kind, ())), kind
    assert set(Location.model_fields) - {"latitude", "longitude"} == set(LOCATION)
    assert set(ORDER) - {"inj.custom"} == set(CATALOGUE)


def test_injection_strings_are_stored_and_returned_as_text(app_client: TestClient) -> None:
    base = ago(days=3).replace(second=0, microsecond=0)
    visits = [Visit(n, p, base + n * SLOT) for n, p in enumerate(PAYLOADS)]
    answer = post_events(app_client, [e for v in visits for e in v.events])
    assert (answer["accepted"], answer["rejected"]) == (sum(len(v.events) for v in visits), [])
    routes = analytics_routes(app_client)
    for v in visits:
        seen: list[tuple[str, str]] = []
        for path in routes:
            seen += v.shown(read(app_client, path, READ, **v.window))
        for user in (v.user, v.id_user):
            found = read(app_client, f"/analytics/user/{quote(user, safe='')}", READ)
            assert found["user_id"] == user
            seen += v.shown(found)
        for conversation in (v.conversation, v.id_conversation):
            found = read(
                app_client, f"/analytics/conversation/{quote(conversation, safe='')}", READ
            )
            assert found["conversation_id"] == conversation
            seen += v.shown(found)
        wrong = [(tag, text) for tag, text in seen if v.sent.get(tag) != text]
        assert not wrong, f"{v.payload!r}: not returned as sent: {wrong[:3]}"
        shown = {tag for tag, _ in seen}
        assert shown >= SHOWN, f"{v.payload!r}: not shown: {sorted(SHOWN - shown)}"
        assert {"user_id", "conversation_id"} <= shown
        check_export(app_client, v)


def check_export(client: TestClient, v: Visit) -> None:
    """The GDPR export returns every event of both users with page_url and properties as sent."""
    stored: dict[str, dict[str, Any]] = {}
    for user in (v.user, v.id_user):
        exported = read(client, f"/v1/users/{quote(user, safe='')}/export", ADMIN)
        stored |= {row["event_id"]: row for row in exported["tables"]["events"]}
    assert set(stored) == {e["event_id"] for e in v.events}
    for sent in v.events:
        row = stored[sent["event_id"]]
        assert (row["user_id"], row["page_url"]) == (sent["user_id"], sent["page_url"])
        properties = dict(sent["properties"])
        if sent["type"] == "session_start":
            # Only the browser, OS and device class of client_info are kept (docs/privacy.md).
            properties.pop("client_info")
            row["properties"].pop("client_info", None)
        assert row["properties"] == properties, sent["event_id"]
