"""The contract's edges, tried one by one: valid events whose numbers, names, ids and URLs sit at the
limits the contract states (or, where it states none, at the limits of 32- and 64-bit columns), and
every parameter of the OpenAPI schema at the edges of its type.

A valid event must be accepted (a 200 that stores it); one just past a limit storage sets (NUL in a
text, a token count past 32 bits) must be refused with a reason; a parameter must never cause a 5xx.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
from bench.events import rfc3339
from bench.load import BROWSER
from bench.server import WRITE_KEY

from faults.fuzz.api import role_key
from faults.fuzz.shapes import MAX_NUMBER, TOKENS_MAX
from faults.fuzz.tally import Tally, reason_of, request, shorten

# "integer ≥ 0" has no upper bound in the contract (these are where storage ends); "number" stops
# at 10^12.
INTEGERS = [0, 2**31 - 1, 2**31, 2**32, 2**53, 2**63 - 1, 2**63, 2**64 - 1]
TOKENS = [v for v in INTEGERS if v <= TOKENS_MAX]
PAST_TOKENS = [v for v in INTEGERS if v > TOKENS_MAX]
NUMBERS: list[float] = [0, 5e-324, 1e-300, MAX_NUMBER]
PAST_NUMBERS: list[float] = [MAX_NUMBER * 1.000001, 2**64 - 1, 1e308, 1.7976931348623157e308]
WIDE = "🙂"  # four bytes in UTF-8: a 255-character name is 1,020 bytes
QUERY_EDGES = ["0", "-1", "1", str(2**31), str(2**63 - 1), str(2**63), str(2**64), "1" + "0" * 30]
TEXT_EDGES = ["", " ", "\x00", "a\x00b", "0001-01-01", "9999-12-31T23:59:59Z", "x" * 10_000, "%"]
PATH_EDGES = ["%00", "a%00b", "x" * 10_000, "..%2F..%2Fetc", "%ff%fe", "%C3%28", "~", "a b"]
_numbers = itertools.count()


def _event(kind: str, properties: dict[str, Any], **fields: Any) -> dict[str, Any]:
    n = next(_numbers)
    return {
        "event_id": f"edge-{n}",
        "type": kind,
        "timestamp": "2026-01-02T03:04:05.678Z",
        "user_id": f"edge-user-{n % 7}",
        "session_id": f"edge-session-{n % 7}",
        "conversation_id": f"edge-conversation-{n % 7}",
        "properties": properties,
    } | fields


def valid_edges() -> Iterator[tuple[str, dict[str, Any]]]:
    """(what, event): each one valid by the contract, each at a limit."""
    reply = {"content": "ok", "latency_ms": 1}
    for value in TOKENS:
        yield f"tokens_in {value}", _event("bot_response", reply | {"tokens_in": value})
        yield f"tokens_out {value}", _event("bot_response", reply | {"tokens_out": value})
    for value in INTEGERS:
        yield f"active_connections {value}", _event("performance", {"active_connections": value})
    for number in NUMBERS:
        yield f"latency_ms {number}", _event("bot_response", reply | {"latency_ms": number})
        yield f"cost {number}", _event("bot_response", reply | {"cost": number})
        yield f"time_spent_seconds {number}", _event("widget_close", {"time_spent_seconds": number})
        yield f"conversion value {-number}", _event("conversion", {"goal": "g", "value": -number})
    for latitude, longitude in ((-90, -180), (90, 180), (0.0, -0.0)):
        place = {"latitude": latitude, "longitude": longitude, "city": WIDE * 255}
        yield f"location {latitude},{longitude}", _event("session_start", {"location": place})
    for rating in (-1, 1, 2, 3, 4, 5):
        yield f"rating {rating}", _event("feedback", {"rating": rating})
    name = WIDE * 255
    yield "255-character names", _event("lead_submitted", {"lead_type": name, "lead_id": name})
    yield "255-character model", _event("bot_response", reply | {"model": name, "message_id": name})
    yield (
        "255-character issues",
        _event("handover_requested", {"issues": [name] * 3, "support_option": name}),
    )
    yield (
        "longest ids",
        _event(
            "user_message",
            {"content": "hi"},
            event_id=WIDE * 128,
            user_id=WIDE * 255,
            session_id=WIDE * 255,
            conversation_id=WIDE * 255,
        ),
    )
    yield "longest page_url", _event("page_view", {}, page_url="h" * 8192)


def refused_edges() -> Iterator[tuple[str, dict[str, Any]]]:
    """(what, event): each one just past a limit that storage sets."""
    reply = {"content": "ok", "latency_ms": 1}
    for value in PAST_TOKENS:
        yield f"tokens_in {value}", _event("bot_response", reply | {"tokens_in": value})
        yield f"tokens_out {value}", _event("bot_response", reply | {"tokens_out": value})
    for number in PAST_NUMBERS:
        yield f"latency_ms {number}", _event("bot_response", reply | {"latency_ms": number})
        yield f"cost {number}", _event("bot_response", reply | {"cost": number})
        yield f"value {number}", _event("conversion", {"goal": "g", "value": -number})
    yield "NUL in content", _event("user_message", {"content": "a\x00b"})
    yield "NUL in a property name", _event("page_view", {"a\x00b": 1})
    yield "NUL in user_id", _event("page_view", {}, user_id="\x00")
    yield "NUL in page_url", _event("page_view", {}, page_url="https://shop.example/\x00")


def _send_edges(http: httpx.Client, tally: Tally, *, valid: bool) -> None:
    side = "valid at the edge" if valid else "just past the edge"
    for what, event in valid_edges() if valid else refused_edges():
        repro = shorten(f"[{what}] POST /v1/events {{'events': [{event!r}]}}")
        sent_at = rfc3339(datetime.now(UTC))
        try:
            response = request(
                http, "POST", "/v1/events", json={"events": [event], "sent_at": sent_at}
            )
        except httpx.HTTPError as exc:
            tally.fail(f"{side}: {what}: no answer ({type(exc).__name__})", repro)
            continue
        where = f"{side}: {what.split()[0]}"
        if not tally.answer(where, response.status_code, response.content, repro):
            continue
        answer = response.json() if response.status_code == 200 else {}
        rejected = answer.get("rejected") or []
        if valid and answer.get("accepted") != 1:
            why = rejected or reason_of(response.content)
            tally.fail(f"valid at the edge refused: {what}: {str(why)[:80]}", repro)
        elif not valid and not (len(rejected) == 1 and str(rejected[0].get("error")).strip()):
            tally.fail(f"just past the edge, not refused with a reason: {what}", repro)


def _parameters(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if path == "/dashboard/stream":
                continue  # an endless stream: schemathesis reads it with a time limit instead
            for parameter in operation.get("parameters", []):
                yield path, method.upper(), parameter


def _kind(parameter: dict[str, Any]) -> str:
    schema = parameter.get("schema", {})
    types = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
    return "integer" if "integer" in types else "text"


def _send_parameters(http: httpx.Client, tally: Tally) -> None:
    schema = http.get("/openapi.json").json()
    for path, method, parameter in _parameters(schema):
        key = {"Authorization": f"Bearer {role_key(path, method)}"}
        name, where = parameter["name"], parameter["in"]
        values = QUERY_EDGES if _kind(parameter) == "integer" else TEXT_EDGES
        for value in PATH_EDGES if where == "path" else values:
            url = path.replace("{" + name + "}", value) if where == "path" else path
            for other in (p for p in ("{user_id}", "{conversation_id}") if p in url):
                url = url.replace(other, "someone")
            params = {name: value} if where == "query" else {}
            label = f"{method} {path} {where} {name}"
            repro = shorten(f"[{label}] {method} {url} params={params!r} with the role's key")
            try:
                response = request(http, method, url, params=params, headers=key)
            except httpx.HTTPError as exc:
                tally.fail(f"{label}: no answer ({type(exc).__name__})", repro)
                continue
            tally.answer(label, response.status_code, response.content, repro)


def fuzz_edges(base_url: str) -> Tally:
    tally = Tally("edges of the contract and parameters")
    headers = {"Authorization": f"Bearer {WRITE_KEY}", "User-Agent": BROWSER}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as http:
        _send_edges(http, tally, valid=True)
        _send_edges(http, tally, valid=False)
        _send_parameters(http, tally)
    return tally
