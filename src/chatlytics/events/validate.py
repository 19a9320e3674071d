"""Turn one raw event of a batch into a ValidEvent, or a Rejection that says why."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Protocol

import orjson
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
)

from chatlytics.events.catalogue import CATALOGUE, MESSAGE_TYPES, Props, SessionStart, channel_of

MAX_EVENT_BYTES = 32 * 1024
MAX_REASON = 4000
# Every database we support can store these; MariaDB's DATETIME starts at year 1000.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
EARLIEST_UTC = EARLIEST.replace(tzinfo=None)
TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_.]{0,63}$")


# In JSON text, `\u0000` is a NUL only where its backslash starts an escape, i.e. follows an even
# run of backslashes; `\\u0000` is the six characters backslash, u, 0, 0, 0, 0.
JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?"
    r"([Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])\Z"
)


def parse_rfc3339(value: object) -> datetime:
    """An RFC 3339 date-time with an offset, as aware UTC (no epoch numbers, no other ISO forms)."""
    return parse_rfc3339_utc(value).replace(tzinfo=UTC)


def parse_rfc3339_utc(value: object) -> datetime:
    """As `parse_rfc3339`, but naive UTC: the form events are checked and stored in."""
    match = RFC3339.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(
            "must be an RFC 3339 date-time with an offset, e.g. 2026-11-26T10:00:00.120Z"
        )
    text = match.string.upper().replace(" ", "T")
    fraction = match.group(1)
    if fraction is not None and len(fraction) > 7:  # Python keeps microseconds; cut, do not round
        text = text.replace(fraction, fraction[:7], 1)
    try:
        if text[-1] == "Z":  # already UTC, the usual case: no round trip through a time zone
            parsed = datetime.fromisoformat(text[:-1])
        else:
            parsed = datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        raise ValueError("must be a valid RFC 3339 date-time (check the date and time)") from None
    if parsed < EARLIEST_UTC:
        raise ValueError("must be in 1970 or later (UTC)")
    return parsed


def _trimmed(value: str) -> str:
    # MariaDB compares `id ` and `id` as equal; an id must be the same everywhere.
    if value != value.strip():
        raise ValueError("must not start or end with white space")
    return value


Identifier = Annotated[str, AfterValidator(_trimmed)]


class EventFields(BaseModel):
    """The fields every event has (`timestamp` as naive UTC); `properties` is checked against the
    catalogue afterwards."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: Identifier = Field(min_length=1, max_length=128)
    type: str = Field(pattern=TYPE_PATTERN.pattern)
    timestamp: Annotated[datetime, PlainValidator(parse_rfc3339_utc)]
    source: Literal["widget", "backend"] | None = None
    user_id: Identifier = Field(min_length=1, max_length=255)
    session_id: Identifier = Field(min_length=1, max_length=255)
    conversation_id: Identifier | None = Field(default=None, min_length=1, max_length=255)
    page_url: str | None = Field(default=None, max_length=8192)
    consent: bool | None = None
    properties: dict[str, Any] = Field(default_factory=dict)


# Not frozen, though nothing changes one: a frozen dataclass's __init__ sets each of the 18 fields
# through object.__setattr__, and building the event was then a quarter of validation.
@dataclass(slots=True)
class ValidEvent:
    """A checked event with its times settled: `occurred_at` is the corrected, naive-UTC time.

    Read-only by convention; make a changed copy with `dataclasses.replace`."""

    event_id: str
    type: str
    source: str
    user_id: str
    session_id: str
    conversation_id: str | None
    page_url: str | None
    occurred_at: datetime
    client_timestamp: datetime
    sent_at: datetime | None
    received_at: datetime
    properties: dict[str, Any]
    props: Props | None
    consent: bool = True
    client_ip: str | None = None
    browser: str | None = None
    os: str | None = None
    device: str | None = None

    @property
    def is_message(self) -> bool:
        return self.type in MESSAGE_TYPES


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why an event was refused; the raw event is kept in failed_events with this reason."""

    index: int
    event_id: str | None
    user_id: str | None
    error: str
    raw: object


def describe(error: ValidationError, prefix: str = "") -> str:
    """One line per problem: `field.path: message`."""
    parts = []
    for item in error.errors(include_url=False):
        loc = ".".join(str(p) for p in (prefix, *item["loc"]) if p != "")
        parts.append(f"{loc}: {item['msg']}" if loc else str(item["msg"]))
    return "; ".join(parts)


def corrected_time(
    timestamp: datetime, sent_at: datetime | None, received_at: datetime
) -> datetime:
    """Shift by the sender's clock offset (received_at - sent_at), never later than received_at
    (all naive UTC, or all aware)."""
    corrected = timestamp + (received_at - sent_at) if sent_at is not None else timestamp
    return min(corrected, received_at)


@functools.lru_cache(maxsize=64)
def _naive_shared(value: datetime) -> datetime:
    # sent_at and received_at are the same for every event of a request.
    return value.astimezone(UTC).replace(tzinfo=None)


# The validators themselves: model_validate is a Python wrapper around them, called twice an event.
ENVELOPE = EventFields.__pydantic_validator__.validate_python
PROPERTIES = {
    kind: model.__pydantic_validator__.validate_python for kind, (_, model) in CATALOGUE.items()
}


def _rejected(index: int, raw: object, reason: str) -> Rejection:
    # The reason is stored: bounded, and without NUL (a field name may carry one).
    reason = reason.replace("\x00", "\\u0000")[:MAX_REASON]
    return Rejection(index, _peek(raw, "event_id"), _peek(raw, "user_id"), reason, raw)


def _peek(raw: object, key: str) -> str | None:
    value = raw.get(key) if isinstance(raw, dict) else None
    return value.replace("\x00", "\\u0000")[:255] if isinstance(value, str) else None


def validate_event(
    index: int,
    raw: object,
    *,
    sent_at: datetime | None,
    received_at: datetime,
    client: Client | None = None,
) -> ValidEvent | Rejection:
    """Check one event against the contract; `received_at` and `sent_at` are aware UTC.

    `client` describes the browser that sent the request; it is given to widget events only (a
    backend event's request comes from the chat server, not from the visitor)."""

    if not isinstance(raw, dict):
        return _rejected(index, raw, "event must be a JSON object")
    try:
        encoded = orjson.dumps(raw)
    except TypeError:  # nested deeper than orjson writes, or an integer wider than 64 bits
        return _rejected(
            index, raw, "event is nested too deeply or holds a number too large to store"
        )
    if len(encoded) > MAX_EVENT_BYTES:
        return _rejected(index, raw, f"event is larger than {MAX_EVENT_BYTES} bytes")
    if b"\\u0000" in encoded and JSON_NUL.search(encoded):  # PostgreSQL text cannot hold NUL
        return _rejected(index, raw, "text must not contain the NUL character (U+0000)")
    try:
        fields: EventFields = ENVELOPE(raw)
    except ValidationError as exc:
        return _rejected(index, raw, describe(exc))
    check = PROPERTIES.get(fields.type)
    props: Props | None = None
    if check is not None:
        try:
            props = check(fields.properties)
        except ValidationError as exc:
            return _rejected(index, raw, describe(exc, "properties"))
    if fields.type in MESSAGE_TYPES and fields.conversation_id is None:
        return _rejected(index, raw, f"conversation_id: required for {fields.type}")
    sent = _naive_shared(sent_at) if sent_at is not None else None
    received = _naive_shared(received_at)
    try:
        occurred: datetime | None = corrected_time(fields.timestamp, sent, received)
    except OverflowError:
        occurred = None
    if occurred is None or occurred < EARLIEST_UTC:
        return _rejected(
            index, raw, "timestamp: corrected for the sender's clock it falls before 1970"
        )
    source = fields.source or channel_of(fields.type)
    device = device_of(props) if client is None or source != "widget" else client
    return ValidEvent(
        event_id=fields.event_id,
        type=fields.type,
        source=source,
        user_id=fields.user_id,
        session_id=fields.session_id,
        conversation_id=fields.conversation_id,
        page_url=fields.page_url,
        occurred_at=occurred,
        client_timestamp=fields.timestamp,
        sent_at=sent,
        received_at=received,
        properties=fields.properties,
        props=props,
        consent=fields.consent is not False,
        client_ip=client.ip if client and source == "widget" else None,
        browser=device.browser if device else None,
        os=device.os if device else None,
        device=device.device if device else None,
    )


class Client(Protocol):
    """What the collector knows of the sending browser (see ingest/client.py)."""

    @property
    def ip(self) -> str | None: ...
    @property
    def browser(self) -> str | None: ...
    @property
    def os(self) -> str | None: ...
    @property
    def device(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class _Device:
    ip: str | None
    browser: str | None
    os: str | None
    device: str | None


def device_of(props: Props | None) -> _Device | None:
    """The browser / OS / device class a session_start reports in its (reduced) client_info."""
    if not isinstance(props, SessionStart) or not isinstance(props.client_info, dict):
        return None
    info = props.client_info
    parts = [info.get(k) for k in ("browser", "os", "device")]
    if not any(isinstance(p, str) for p in parts):
        return None
    browser, system, device = (p[:64] if isinstance(p, str) else None for p in parts)
    return _Device(None, browser, system, device)
