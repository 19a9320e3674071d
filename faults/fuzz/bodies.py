"""Hypothesis on POST /v1/events over HTTP: arbitrary JSON and bytes, gzip garbage, huge and deeply
nested values, wrong types in every field, odd keys; plus batches valid by the contract.

Every answer must be below 500 and one the contract names for that kind of request; a 4xx must say why;
a 200 must account for every event (accepted + duplicates + rejected + discarded), give each rejection
a reason, and accept every event of a valid batch.
"""

from __future__ import annotations

import gzip
import itertools
import json
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from bench.events import rfc3339 as wire_time
from bench.load import BROWSER
from bench.server import ADMIN_KEY, READ_KEY, WRITE_KEY
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from faults.fuzz.shapes import (
    any_value,
    broken_event,
    fresh_ids,
    nested,
    text,
    valid_event,
)
from faults.fuzz.tally import Tally, reason_of, request, shorten

MAX_BODY = 512 * 1024
_case_numbers = itertools.count()


@dataclass(frozen=True)
class Attempt:
    """One request to send, and what the contract allows as its answer."""

    family: str
    body: bytes
    allowed: frozenset[int]
    headers: dict[str, str] = field(default_factory=dict)
    events: list[Any] | None = None  # the batch, when the body is one we can read back
    valid: bool = False  # every event is valid by the contract: all must be accepted

    def repro(self) -> str:
        shown = {k: v for k, v in self.headers.items() if k != "User-Agent"}
        return shorten(f"[{self.family}] POST /v1/events {shown} body={self.body!r}")


def encode(value: Any, ascii_only: bool) -> bytes:
    # The standard library writes integers of any size, which orjson refuses to.
    return json.dumps(value, ensure_ascii=ascii_only, separators=(",", ":")).encode()


def _key_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {WRITE_KEY}"}


_ABSENT = object()


def _batch(events: list[Any], sent_at: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"events": events}
    if sent_at is not _ABSENT:
        body["sent_at"] = sent_at
    return body


def _prefix(family: str) -> str:
    # Fixed width: sizes (and so what Hypothesis draws from them) must not depend on the count.
    return f"{family}{next(_case_numbers):09d}"


now_or_nothing = st.sampled_from([_ABSENT, None, "now"])
BATCH = frozenset({200})


@st.composite
def valid_batches(draw: st.DrawFn) -> Attempt:
    events = draw(st.lists(valid_event(), min_size=1, max_size=5))
    fresh_ids(events, _prefix("v"))
    sent_at = draw(now_or_nothing)
    body = _batch(events, wire_time(datetime.now(UTC)) if sent_at == "now" else sent_at)
    return Attempt(
        "valid batch", encode(body, draw(st.booleans())), BATCH, _key_headers(), events, valid=True
    )


@st.composite
def broken_batches(draw: st.DrawFn) -> Attempt:
    events = draw(st.lists(broken_event() | valid_event(), min_size=1, max_size=6))
    fresh_ids([e for e in events if isinstance(e, dict)], _prefix("b"))
    body = _batch(events, draw(st.sampled_from([_ABSENT, None]) | any_value))
    # A broken sent_at is a 400; a nesting deeper than the parser takes is a 400 too.
    allowed = frozenset({200, 400, 413})
    return Attempt(
        "wrong types", encode(body, draw(st.booleans())), allowed, _key_headers(), events
    )


@st.composite
def json_bodies(draw: st.DrawFn) -> Attempt:
    value = draw(
        any_value
        | st.dictionaries(st.sampled_from(["events", "sent_at", "write_key"]) | text, any_value)
    )
    allowed = frozenset({200, 400, 401, 403, 413})
    events = value.get("events") if isinstance(value, dict) else None
    return Attempt(
        "any JSON",
        encode(value, draw(st.booleans())),
        allowed,
        _key_headers(),
        events if isinstance(events, list) else None,
    )


@st.composite
def byte_bodies(draw: st.DrawFn) -> Attempt:
    raw = draw(
        st.binary(max_size=200)
        | st.sampled_from([b"", b"{", b'{"events":[', b"\xff\xfe{}", b"\x00"])
    )
    return Attempt("any bytes", raw, frozenset({200, 400}), _key_headers())


@st.composite
def gzip_bodies(draw: st.DrawFn) -> Attempt:
    events = draw(st.lists(valid_event(), min_size=1, max_size=3))
    fresh_ids(events, _prefix("g"))
    packed = gzip.compress(encode({"events": events}, True), mtime=0)
    how = draw(st.sampled_from(["garbage", "truncated", "flipped", "sound", "bomb", "encoding"]))
    headers = {**_key_headers(), "Content-Encoding": "gzip"}
    if how == "garbage":
        body, allowed = draw(st.binary(max_size=200)), frozenset({400})
    elif how == "truncated":
        body, allowed = packed[: draw(st.integers(0, 2**20)) % len(packed)], frozenset({400})
    elif how == "flipped":  # a flip in the header's time or flags may go unnoticed
        spot = draw(st.integers(0, 2**20)) % len(packed)
        body = (
            packed[:spot] + bytes([packed[spot] ^ draw(st.integers(1, 255))]) + packed[spot + 1 :]
        )
        allowed = frozenset({200, 400, 413})
    elif how == "sound":
        return Attempt("gzip", packed, BATCH, headers, events, valid=True)
    elif how == "bomb":  # a few KiB that inflate past the 512 KiB limit
        filler = zlib.compressobj(9, zlib.DEFLATED, 31)
        body = (
            filler.compress(b" " * (MAX_BODY + draw(st.integers(1, 4 * MAX_BODY)))) + filler.flush()
        )
        allowed = frozenset({413})
    else:
        coding = draw(
            st.sampled_from(["deflate", "br", "zstd", "gzip, gzip", "x-gzip"])
            | st.text("abcdefgxyz-, ", min_size=1, max_size=12).map(str.strip).filter(bool)
        )
        headers["Content-Encoding"] = coding
        body = packed
        allowed = (
            frozenset({200, 400, 415})
            if coding.strip().lower() in ("gzip", "identity", "")
            else frozenset({415})
        )
    return Attempt(f"gzip {how}", body, allowed, headers)


@st.composite
def huge_bodies(draw: st.DrawFn) -> Attempt:
    events = draw(st.lists(valid_event(), min_size=1, max_size=2))
    fresh_ids(events, _prefix("h"))
    how = draw(
        st.sampled_from(
            [
                "many events",
                "big body",
                "big event",
                "long text",
                "many fields",
                "deep",
                "deep field",
            ]
        )
    )
    allowed = frozenset({200})
    if how == "many events":
        events = (events * 801)[: draw(st.integers(501, 800))]
        allowed = frozenset({413})
    elif how == "big body":
        events[0]["properties"]["blob"] = "x" * (MAX_BODY + draw(st.integers(0, 4096)))
        allowed = frozenset({413})
    elif how == "big event":
        events[0]["properties"]["blob"] = draw(st.sampled_from(["é", "x", "🙂"])) * draw(
            st.integers(8_000, 40_000)
        )
    elif how == "long text":
        events[0]["properties"]["content"] = "y" * draw(st.integers(32_760, 32_800))
    elif how == "many fields":
        # Up to ~3,200 unknown fields fit in 32 KiB: a rejection reason of over 100 KiB.
        for n in range(draw(st.integers(100, 3_200))):
            events[0][f"k{n}"] = 0
    elif how == "deep":
        events[0]["properties"]["nested"] = nested(
            draw(st.integers(100, 1_100)), draw(st.sampled_from(["list", "dict"]))
        )
        allowed = frozenset({200, 400})  # past the parser's depth the body is not JSON it reads
    else:
        key = draw(st.sampled_from(["event_id", "user_id", "timestamp", "properties", "type"]))
        events[0][key] = nested(
            draw(st.integers(100, 1_100)), draw(st.sampled_from(["list", "dict"]))
        )
        allowed = frozenset({200, 400})
    return Attempt(
        f"huge: {how}", encode({"events": events}, False), allowed, _key_headers(), events
    )


@st.composite
def key_variants(draw: st.DrawFn) -> Attempt:
    events = draw(st.lists(valid_event(), min_size=1, max_size=2))
    fresh_ids(events, _prefix("k"))
    # What HTTP lets a header carry: visible ASCII, inner spaces (h11 refuses the others to send).
    header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30).map(
        str.strip
    )
    headers: dict[str, str] = {}
    body: dict[str, Any] = {"events": events}
    how = draw(st.sampled_from(["authorization", "x-write-key", "body", "role"]))
    if how == "authorization":
        headers["Authorization"] = draw(
            header_text | header_text.map(lambda t: f"Bearer {t}".strip())
        )
    elif how == "x-write-key":
        headers["X-Write-Key"] = draw(header_text)
    elif how == "body":
        body["write_key"] = draw(any_value | st.just(WRITE_KEY))
    else:
        headers["Authorization"] = f"Bearer {draw(st.sampled_from([READ_KEY, ADMIN_KEY]))}"
    # A write_key nested past the parser's depth makes the body unreadable: 400.
    allowed = frozenset({200, 400, 401, 403} if how == "body" else {200, 401, 403})
    return Attempt(f"key in {how}", encode(body, True), allowed, headers, events)


attempts = st.one_of(
    valid_batches(),
    broken_batches(),
    json_bodies(),
    byte_bodies(),
    gzip_bodies(),
    huge_bodies(),
    key_variants(),
)


def check(attempt: Attempt, response: httpx.Response, tally: Tally) -> None:
    """The rules beyond "no 5xx, a reason with every 4xx" (which `tally.answer` checks)."""
    status = response.status_code
    repro = attempt.repro()
    if status < 500 and status not in attempt.allowed:
        why = f"{reason_of(response.content)!s:.60}"
        expected = sorted(attempt.allowed)
        tally.fail(f"{attempt.family}: HTTP {status} ({why}), expected one of {expected}", repro)
    if status == 401 and response.headers.get("www-authenticate") != "Bearer":
        tally.fail(f"{attempt.family}: 401 without WWW-Authenticate: Bearer", repro)
    if status != 200 or attempt.events is None:
        return
    try:
        answer = response.json()
        rejected = list(answer["rejected"])
        counted = answer["accepted"] + answer["duplicates"] + answer["discarded"]
    except (ValueError, KeyError, TypeError):
        tally.fail(f"{attempt.family}: a 200 that is not the documented answer", repro)
        return
    n = len(attempt.events)
    total = counted + len(rejected)
    if total != n:
        tally.fail(f"{attempt.family}: a 200 accounts for {total} of {n} events", repro)
    for r in rejected:
        if not (0 <= r["index"] < n) or not str(r.get("error", "")).strip():
            tally.fail(f"{attempt.family}: a rejection without a position or a reason: {r}", repro)
    if attempt.valid and answer["accepted"] != n:
        first = rejected[0]["error"] if rejected else answer
        tally.fail(f"{attempt.family}: valid events refused: {str(first)[:70]}", repro)


def fuzz_bodies(base_url: str, *, examples: int, random_seed: int) -> Tally:
    tally = Tally("hypothesis: POST /v1/events bodies")
    with httpx.Client(base_url=base_url, timeout=30, headers={"User-Agent": BROWSER}) as http:

        @seed(random_seed)
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(attempt=attempts)
        def run(attempt: Attempt) -> None:
            try:
                response = request(
                    http, "POST", "/v1/events", content=attempt.body, headers=attempt.headers
                )
            except httpx.HTTPError as exc:
                tally.fail(f"{attempt.family}: no answer ({type(exc).__name__})", attempt.repro())
                return
            if tally.answer(
                attempt.family, response.status_code, response.content, attempt.repro()
            ):
                check(attempt, response, tally)

        run()
    return tally
