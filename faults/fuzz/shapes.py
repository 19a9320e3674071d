"""Hypothesis strategies: events valid by the contract (docs/events.md), and every way to break one.

`valid_event()` follows the contract's own words (ids of 1 to 128/255 characters without surrounding
white space, RFC 3339 times, each type's properties with their types and ranges), not the code, so a
valid event that the collector refuses or cannot store is a finding. Two limits come from storage:
no text holds NUL (PostgreSQL text cannot), and token counts fit 32 bits; `broken_event()` crosses
both, and the collector must refuse them with a reason.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from chatlytics.events import CATALOGUE, MESSAGE_TYPES

Event = dict[str, Any]
EARLIEST = datetime(1971, 1, 1, tzinfo=UTC)
DEEPEST = 1_100  # past every JSON library's nesting limit

# Any text the contract allows: every code point but surrogates (which JSON in UTF-8 cannot carry)
# and NUL.
letters = st.characters(codec="utf-8", exclude_characters="\x00")
text = st.text(letters, max_size=40)
name = st.text(letters, min_size=1, max_size=40)
identifier = st.text(letters, min_size=1, max_size=40).filter(lambda s: s == s.strip())
with_nul = st.builds(lambda a, b: f"{a}\x00{b}", st.text(max_size=20), st.text(max_size=20))
MAX_NUMBER = 1e12  # "number": at most 10^12
number = st.integers(0, 10**12) | st.floats(0, MAX_NUMBER, allow_nan=False, allow_infinity=False)
# "integer ≥ 0": the contract sets no upper bound; the edges of 32- and 64-bit columns on purpose.
integer = st.integers(0, 2**63 - 1) | st.sampled_from([2**31 - 1, 2**31, 2**32, 2**53, 2**63 - 1])
TOKENS_MAX = 2**31 - 1  # tokens_in and tokens_out: "integer from 0 to 2,147,483,647"
tokens = st.integers(0, TOKENS_MAX) | st.sampled_from([0, TOKENS_MAX])
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
)
json_values = st.recursive(
    scalars,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(text, kids, max_size=4),
    max_leaves=12,
)


def nested(depth: int, container: str, leaf: Any = 0) -> Any:
    """A value `depth` levels deep: [[[...]]] or {"a": {"a": ...}}."""
    value = leaf
    for _ in range(depth):
        value = [value] if container == "list" else {"a": value}
    return value


deep_values = st.builds(nested, st.integers(1, DEEPEST), st.sampled_from(["list", "dict"]), scalars)
any_value = (
    json_values
    | deep_values
    | with_nul
    | st.sampled_from([2**31, 2**63, 2**64 - 1, 2**64, 10**30, -(2**63) - 1])
)


def rfc3339(moment: datetime, style: int) -> str:
    """The forms the contract accepts: Z or z, an offset, a space for the T, 0 to 9 fraction digits."""
    if style == 0:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style == 1:
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f") + "z"
    if style == 2:
        shifted = moment.astimezone(UTC) + timedelta(hours=5, minutes=30)
        return shifted.strftime("%Y-%m-%dt%H:%M:%S.%f")[:-3] + "+05:30"
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"


timestamps = st.builds(
    rfc3339,
    st.datetimes(
        min_value=EARLIEST.replace(tzinfo=None),
        max_value=datetime(2025, 12, 31),
        timezones=st.just(UTC),
    ),
    st.integers(0, 3),
)


OMIT = object()


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """An optional property: left out (OMIT, dropped before sending), sent as null, or set."""
    return st.one_of(st.just(OMIT), st.none(), strategy)


location = st.fixed_dictionaries(
    {},
    optional={
        "city": name | st.none(),
        "region": name | st.none(),
        "country": name | st.none(),
        "latitude": st.floats(-90, 90) | st.none(),
        "longitude": st.floats(-180, 180) | st.none(),
    },
)
PROPERTIES: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "page_view": {"title": optional(text), "referrer": optional(text)},
    "page_hidden": {},
    "page_visible": {},
    "navigation": {"from_url": text, "to_url": text},
    "widget_open": {},
    "widget_close": {
        "time_spent_seconds": number,
        "last_user_message": optional(text),
        "last_bot_message": optional(text),
    },
    "lead_submitted": {
        "lead_type": name,
        "lead_id": optional(name),
        "name": optional(text),
        "email": optional(text),
        "phone": optional(text),
    },
    "handover_requested": {
        "issues": st.lists(name, max_size=4),
        "support_option": name,
        "last_message": optional(text),
        "other_text": optional(text),
    },
    "product_interest": {
        "product_name": name,
        "product_id": optional(name),
        "category": optional(name),
    },
    "conversion": {
        "goal": name,
        "value": optional(
            st.integers(-(10**12), 10**12)
            | st.floats(-MAX_NUMBER, MAX_NUMBER, allow_nan=False, allow_infinity=False)
        ),
        "currency": optional(st.text(letters, min_size=3, max_size=3)),
    },
    "feedback": {"rating": st.sampled_from([-1, 1, 2, 3, 4, 5]), "comment": optional(text)},
    "session_start": {
        "client_info": optional(text | st.dictionaries(text, json_values, max_size=3)),
        "location": optional(location),
    },
    "session_end": {"status": st.sampled_from(["completed", "error"]), "reason": optional(text)},
    "conversation_start": {},
    "conversation_end": {"status": st.sampled_from(["completed", "handover"])},
    "user_message": {"content": text, "message_id": optional(name)},
    "system_message": {"content": text, "message_id": optional(name)},
    "bot_response": {
        "content": text,
        "latency_ms": number,
        "message_id": optional(name),
        "fallback": optional(st.booleans()),
        "model": optional(name),
        "tokens_in": optional(tokens),
        "tokens_out": optional(tokens),
        "cost": optional(number),
    },
    "error": {"kind": name, "message": text},
    "performance": {
        "cpu_percent": optional(number),
        "memory_mb": optional(number),
        "active_connections": optional(integer),
        "response_time_ms": optional(number),
    },
}
if set(PROPERTIES) != set(CATALOGUE):  # a new catalogue type must be fuzzed too
    raise RuntimeError(
        f"shapes.PROPERTIES does not match the catalogue: {set(PROPERTIES) ^ set(CATALOGUE)}"
    )

custom_types = st.from_regex(r"\A[a-z][a-z0-9_.]{0,63}\Z").filter(lambda t: t not in CATALOGUE)
extra_properties = st.dictionaries(
    st.text(letters, max_size=12).filter(
        lambda k: k not in {p for props in PROPERTIES.values() for p in props}
    ),
    json_values,
    max_size=3,
)


@st.composite
def valid_event(draw: st.DrawFn) -> Event:
    """One event that the contract says must be accepted."""
    kind = draw(st.sampled_from(sorted(PROPERTIES)) | custom_types)
    if kind in PROPERTIES:
        drawn = {key: draw(value) for key, value in PROPERTIES[kind].items()}
        properties = {key: value for key, value in drawn.items() if value is not OMIT}
        properties |= draw(extra_properties)
    else:
        properties = draw(st.dictionaries(text, json_values, max_size=4))
    event: Event = {
        "event_id": draw(identifier),
        "type": kind,
        "timestamp": draw(timestamps),
        "user_id": draw(identifier),
        "session_id": draw(identifier),
        "properties": properties,
    }
    if kind in MESSAGE_TYPES or draw(st.booleans()):
        event["conversation_id"] = draw(identifier)
    for key, value in (
        ("source", st.sampled_from(["widget", "backend", None])),
        ("page_url", st.none() | st.text(letters, max_size=60)),
        ("consent", st.sampled_from([True, None])),
    ):
        if draw(st.booleans()):
            event[key] = draw(value)
    return event


@st.composite
def broken_event(draw: st.DrawFn) -> Any:
    """A valid event with one to three things wrong: a field or property of the wrong type or out of
    range (NUL in a text, a token count past 32 bits), a field missing, an unknown field, or something
    that is not an event at all."""
    event: Any = draw(valid_event())
    kinds = ["field", "property", "drop", "unknown", "replace", "location", "nul", "tokens"]
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(kinds))
        if how == "field":
            key = draw(st.sampled_from(sorted(set(event) | {"event_id", "type", "timestamp"})))
            event[key] = draw(any_value)
        elif how == "property" and isinstance(event.get("properties"), dict):
            keys = sorted(event["properties"]) or ["x"]
            key = draw(st.sampled_from(keys) | text)
            event["properties"][key] = draw(any_value)
        elif how == "drop" and event:
            event.pop(draw(st.sampled_from(sorted(event))))
        elif how == "unknown":
            key = draw(text)
            while key in event:  # a new field, not a known one overwritten
                key += "_"
            event[key] = draw(any_value)
        elif how == "location" and event.get("type") == "session_start":
            event.setdefault("properties", {})["location"] = draw(
                st.dictionaries(st.sampled_from(["city", "latitude", "longitude"]), any_value)
            )
        elif how == "nul" and isinstance(event.get("properties"), dict):
            texts = sorted(k for k, v in event["properties"].items() if isinstance(v, str))
            key = draw(st.sampled_from(texts) if texts else with_nul)
            event["properties"][key] = draw(with_nul)
        elif (
            how == "tokens"
            and event.get("type") == "bot_response"
            and isinstance(event.get("properties"), dict)
        ):
            key = draw(st.sampled_from(["tokens_in", "tokens_out"]))
            event["properties"][key] = draw(st.integers(TOKENS_MAX + 1, 2**64))
        elif how == "replace":
            event = draw(any_value)
            break
    return event


def fresh_ids(events: list[Event], prefix: str) -> None:
    """Make event ids unique per case, so that a valid event is accepted rather than a duplicate."""
    for n, event in enumerate(events):
        if isinstance(event, dict) and isinstance(event.get("event_id"), str):
            event["event_id"] = f"{prefix}-{n}-{event['event_id']}"[:128].strip() or f"{prefix}-{n}"
