"""SQL and script injection strings in every text field of every event type (ids included) must be
stored as sent and come back as the same text from the analytics API, and every table must survive.

One request per string: a user, session and conversation carrying every catalogue type (and a custom
one) with the string in each of its text fields and page_url; a second set whose ids are made of the
string; and one event refused for an unknown field named by it. Each string has its own ten minutes, ten
days back, so that the API's windows and recent lists show only its events. A string holding NUL, which
no text may hold, must instead see every event refused with a reason, and its ids looked up as 404s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import sqlalchemy as sa
from bench.events import rfc3339
from bench.load import BROWSER
from bench.server import ADMIN_KEY, READ_KEY, WRITE_KEY

from chatlytics.events import CATALOGUE
from chatlytics.store.schema import metadata
from faults.fuzz.tally import Tally, request, shorten

# 2,100 characters of one- to four-byte UTF-8, with a combining mark.
LONG = "é中🙂ß\u0301ﷺ\U0001d518" * 300
PAYLOADS = [
    "'; DROP TABLE events; --",
    '" OR 1=1 --',
    "<script>alert(1)</script>",
    "\x00",
    "a\x00b",
    "Robert'); DROP TABLE users;--",
    "1' UNION SELECT event_id, properties FROM events --",
    "%s%n {0} ${x} {{x}} \\' \\\" \\\\ `; DELETE FROM messages; #",
    "\u202eevil\u200b\u200d\ufeff",
    "</script><img src=x onerror=alert(1)>",
    LONG,
]
NAME_MAX = 255
SLOT = timedelta(minutes=10)


def _name(text: str) -> str:
    return text[:NAME_MAX]


def _properties(kind: str, p: str) -> dict[str, Any]:
    """The type's text properties all set to `p` (names cut to 255), other required ones valid."""
    n = _name(p)
    table: dict[str, dict[str, Any]] = {
        "page_view": {"title": p, "referrer": p},
        "navigation": {"from_url": p, "to_url": p},
        "widget_close": {"time_spent_seconds": 12.5, "last_user_message": p, "last_bot_message": p},
        "lead_submitted": {"lead_type": n, "lead_id": n, "name": p, "email": p, "phone": p},
        "handover_requested": {
            "issues": [n, "other"],
            "support_option": n,
            "last_message": p,
            "other_text": p,
        },
        "product_interest": {"product_name": n, "product_id": n, "category": n},
        "conversion": {"goal": n, "value": 9.5, "currency": "EUR"},
        "feedback": {"rating": 5, "comment": p},
        "session_start": {"location": {"city": n, "region": n, "country": n}},
        "session_end": {"status": "completed", "reason": p},
        "conversation_end": {"status": "handover"},
        "user_message": {"content": p, "message_id": n},
        "system_message": {"content": p, "message_id": n},
        "bot_response": {"content": p, "latency_ms": 850.0, "message_id": n, "model": n},
        "error": {"kind": n, "message": p},
        "inj.custom": {"note": p, p: p},
    }
    return table.get(kind, {})


# The order a visit would have; every catalogue type, then a custom one.
ORDER = ["session_start", "page_view", "navigation", "page_hidden", "page_visible", "widget_open"]
ORDER += [
    "conversation_start",
    "user_message",
    "bot_response",
    "system_message",
    "product_interest",
]
ORDER += ["conversion", "feedback", "lead_submitted", "handover_requested", "error", "performance"]
ORDER += ["widget_close", "conversation_end", "inj.custom", "session_end"]
if set(ORDER) - {"inj.custom"} != set(CATALOGUE):
    raise RuntimeError("injection.ORDER must name every catalogue type")


@dataclass(frozen=True)
class Scenario:
    """The events made for one string, and the ids and window to read them back with."""

    number: int
    payload: str
    start: datetime
    user: str
    conversation: str
    id_user: str  # the ids made of the string itself
    id_conversation: str
    events: list[dict[str, Any]]
    refused_id: str

    @property
    def window(self) -> dict[str, str]:
        return {"from": rfc3339(self.start), "to": rfc3339(self.start + SLOT)}


def scenario(number: int, payload: str, base: datetime) -> Scenario:
    start = base + number * SLOT
    tag = f"inj{number}"
    user, session, conversation = f"{tag}-user", f"{tag}-session", f"{tag}-conversation"
    # Ids made of the string: cut so that they fit, and closed by a letter (no trailing space).
    stem = payload[:100]
    id_user, id_session, id_conv = f"{stem}#{tag}u", f"{stem}#{tag}s", f"{stem}#{tag}c"
    events: list[dict[str, Any]] = []

    def add(kind: str, who: tuple[str, str, str], event_id: str, **extra: Any) -> None:
        events.append(
            {
                "event_id": event_id,
                "type": kind,
                "timestamp": rfc3339(start + timedelta(seconds=len(events))),
                "user_id": who[0],
                "session_id": who[1],
                "conversation_id": who[2],
                "page_url": payload,
                "properties": _properties(kind, payload),
                **extra,
            }
        )

    for kind in ORDER:
        add(kind, (user, session, conversation), f"{tag}-{kind}")
    for kind in ("session_start", "user_message", "lead_submitted", "handover_requested"):
        add(kind, (id_user, id_session, id_conv), f"{stem}#{tag}-{kind}")
    refused = f"{tag}-refused"
    add("page_view", (user, session, conversation), refused, **{payload: payload})
    return Scenario(number, payload, start, user, conversation, id_user, id_conv, events, refused)


class Reader:
    """GETs with a key; every answer is counted, and a non-200 is a failure of the round trip."""

    def __init__(self, http: httpx.Client, tally: Tally, s: Scenario) -> None:
        self.http, self.tally, self.s = http, tally, s

    def get(
        self, path: str, key: str, params: dict[str, str] | None = None, expect: int = 200
    ) -> Any:
        label = "GET /" + "/".join(path.split("/")[1:3])
        auth = {"Authorization": f"Bearer {key}"}
        response = request(self.http, "GET", path, params=params, headers=auth)
        repro = f"payload {self.s.payload[:40]!r}: GET {path} {params}"
        if self.tally.answer(label, response.status_code, response.content, repro):
            if response.status_code == expect:
                return response.json()
            self.tally.fail(f"{label}: HTTP {response.status_code}, expected {expect}", repro)
        return None

    def same(self, what: str, got: Any, sent: Any) -> None:
        self.tally.case()  # one field's round trip
        if got != sent:
            self.tally.fail(
                f"{what}: not returned as sent",
                shorten(f"payload {self.s.payload!r}: {what} sent {sent!r}, got {got!r}", 400),
            )


def _by(rows: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in rows}


def _check_export(read: Reader, s: Scenario) -> None:
    """Every event of the user, as the GDPR export returns it: page_url and properties unchanged."""
    found = read.get(f"/v1/users/{quote(s.user, safe='')}/export", ADMIN_KEY)
    if found is None:
        return
    stored = _by(found["tables"]["events"], "event_id")
    for event in s.events:
        if event["user_id"] != s.user or event["event_id"] == s.refused_id:
            continue
        row = stored.get(event["event_id"], {})
        kind = event["type"]
        read.same(f"export {kind} page_url", row.get("page_url"), event["page_url"])
        if kind != "session_start":  # client info is reduced by design; this one has a location
            read.same(f"export {kind} properties", row.get("properties"), event["properties"])


def _check_user(read: Reader, s: Scenario) -> None:
    p, n = s.payload, _name(s.payload)
    user = read.get(f"/analytics/user/{quote(s.user, safe='')}", READ_KEY)
    if user is not None:
        read.same("user last_page_url", user["last_page_url"], p)
        lead = user["leads"][0] if user["leads"] else {}
        for key, want in (
            ("lead_type", n),
            ("lead_id", n),
            ("name", p),
            ("email", p),
            ("phone", p),
        ):
            read.same(f"user page lead {key}", lead.get(key), want)
        handover = user["handovers"][0] if user["handovers"] else {}
        for key, sent in (("issues", [n, "other"]), ("support_option", n), ("last_message", p)):
            read.same(f"user page handover {key}", handover.get(key), sent)
        read.same("user page handover other_text", handover.get("other_text"), p)
        place = user["session_history"][0] if user["session_history"] else {}
        for key in ("city", "region", "country"):
            read.same(f"user page session {key}", place.get(key), n)
    by_ids = read.get(f"/analytics/user/{quote(s.id_user, safe='')}", READ_KEY)
    if by_ids is not None:
        read.same("user page user_id made of the string", by_ids["user_id"], s.id_user)


def _check_lists(read: Reader, s: Scenario) -> None:
    p, n = s.payload, _name(s.payload)
    figures = read.get("/analytics/messages", READ_KEY, s.window)
    if figures is not None:
        recent = _by(figures["recent_messages"], "event_id")
        tag = f"inj{s.number}"
        for kind in ("user_message", "bot_response", "system_message"):
            row = recent.get(f"{tag}-{kind}", {})
            read.same(f"recent_messages {kind} content", row.get("content"), p)
            read.same(f"recent_messages {kind} message_id", row.get("message_id"), n)
        read.same("recent_messages model", recent.get(f"{tag}-bot_response", {}).get("model"), n)
        mine = recent.get(f"{s.payload[:100]}#{tag}-user_message", {})
        read.same(
            "recent_messages ids made of the string", mine.get("conversation_id"), s.id_conversation
        )
    leads = read.get("/analytics/leads", READ_KEY, s.window)
    if leads is not None:
        names = sorted(lead["name"] for lead in leads["recent_leads"])
        read.same("recent_leads names", names, [p, p])
    handovers = read.get("/analytics/human_handover", READ_KEY, s.window)
    if handovers is not None:
        texts = sorted(h["other_text"] for h in handovers["recent_handover"])
        read.same("recent_handover other_text", texts, [p, p])
    for conversation in (s.conversation, s.id_conversation):
        talk = read.get(f"/analytics/conversation/{quote(conversation, safe='')}", READ_KEY)
        if talk is not None:
            read.same("transcript conversation_id", talk["conversation_id"], conversation)
            read.same(
                "transcript first message",
                talk["messages"][0]["content"] if talk["messages"] else None,
                p,
            )


def _check_refused(read: Reader, s: Scenario) -> None:
    failed = read.get("/v1/failed_events", ADMIN_KEY, {"limit": "1000"})
    if failed is None:
        return
    item = _by(failed["items"], "event_id").get(s.refused_id, {})
    read.same("failed_events raw", (item.get("raw") or {}).get(s.payload), s.payload)
    if s.payload not in str(item.get("reason")):
        read.same("failed_events reason names the field", item.get("reason"), f"{s.payload}: ...")


CHECKS: list[Callable[[Reader, Scenario], None]] = [
    _check_export,
    _check_user,
    _check_lists,
    _check_refused,
]


def _check_absent(read: Reader, s: Scenario) -> None:
    """When the string could not be stored, looking its ids up must still be a plain 404."""
    read.get(f"/analytics/user/{quote(s.id_user, safe='')}", READ_KEY, expect=404)
    read.get(f"/analytics/conversation/{quote(s.id_conversation, safe='')}", READ_KEY, expect=404)
    read.get(f"/v1/users/{quote(s.id_user, safe='')}/export", ADMIN_KEY, expect=404)


def _send(http: httpx.Client, tally: Tally, s: Scenario) -> bool:
    """True when every event but the one refused on purpose was stored."""
    headers = {"Authorization": f"Bearer {WRITE_KEY}", "User-Agent": BROWSER}
    response = request(http, "POST", "/v1/events", json={"events": s.events}, headers=headers)
    repro = shorten(f"payload {s.payload!r}: POST /v1/events with {len(s.events)} events", 300)
    if not tally.answer("POST /v1/events", response.status_code, response.content, repro):
        return False
    answer = response.json()
    if "\x00" in s.payload:
        reasons = [str(r["error"]).strip() for r in answer["rejected"]]
        if answer["accepted"] or len(reasons) != len(s.events) or not all(reasons):
            tally.fail(
                "POST /v1/events: text with NUL not refused, each event with a reason", repro
            )
        return False
    rejected = [r["event_id"] for r in answer["rejected"]]
    if answer["accepted"] != len(s.events) - 1 or rejected != [s.refused_id]:
        reasons = [r["error"][:80] for r in answer["rejected"]]
        tally.fail(
            f"POST /v1/events: accepted {answer['accepted']} of {len(s.events) - 1}",
            f"{repro}: {reasons}",
        )
        return False
    return True


def tables_survive(database_url: str, tally: Tally) -> None:
    """Every table of the schema still answers a count, and the raw log is not empty."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            for table in metadata.sorted_tables:
                tally.case()
                try:
                    count = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                except sa.exc.SQLAlchemyError as exc:
                    tally.fail(f"table {table.name} is gone: {str(exc)[:60]}", str(exc)[:300])
                    continue
                if table.name == "events" and not count:
                    tally.fail("the events table is empty", "after the injection strings")
    finally:
        engine.dispose()


def fuzz_injection(base_url: str, database_url: str) -> Tally:
    tally = Tally("injection strings, read back")
    base = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=10)
    with httpx.Client(base_url=base_url, timeout=30) as http:
        for number, payload in enumerate(PAYLOADS):
            s = scenario(number, payload, base)
            read = Reader(http, tally, s)
            for check in CHECKS if _send(http, tally, s) else [_check_absent]:
                check(read, s)
    tables_survive(database_url, tally)
    return tally
