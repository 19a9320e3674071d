"""The catalogue: each known event type, its channel and the properties it requires.

Properties not named here are allowed and kept as sent; a type outside the catalogue is a custom event.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

Text = Annotated[str, Field(max_length=32_768)]
INT32_MAX = 2_147_483_647  # the tables' INTEGER columns
Name = Annotated[str, Field(min_length=1, max_length=255)]
# Numbers stay within 10^12 so that sums and means over any number of events cannot overflow.
MAX_NUMBER = 1e12
NonNegative = Annotated[float, Field(ge=0, le=MAX_NUMBER, allow_inf_nan=False)]


class Props(BaseModel):
    """Base of every property model: extra properties are kept, not rejected.

    Strict: `"120"` is not a number and `1` is not `true`, so the raw log and the tables agree.
    """

    model_config = ConfigDict(extra="allow", frozen=True, strict=True)


class NoProps(Props):
    pass


class PageView(Props):
    title: Text | None = None
    referrer: Text | None = None


class Navigation(Props):
    from_url: Text
    to_url: Text


class WidgetClose(Props):
    time_spent_seconds: NonNegative
    last_user_message: Text | None = None
    last_bot_message: Text | None = None


class LeadSubmitted(Props):
    lead_type: Name
    lead_id: Name | None = None
    name: Text | None = None
    email: Text | None = None
    phone: Text | None = None


class HandoverRequested(Props):
    issues: list[Name]
    support_option: Name
    last_message: Text | None = None
    other_text: Text | None = None


class ProductInterest(Props):
    product_name: Name
    product_id: Name | None = None
    category: Name | None = None


class Conversion(Props):
    goal: Name
    value: Annotated[float, Field(ge=-MAX_NUMBER, le=MAX_NUMBER, allow_inf_nan=False)] | None = None
    currency: Annotated[str, Field(min_length=3, max_length=3)] | None = None


def _rating(value: int) -> int:
    if value not in (-1, 1, 2, 3, 4, 5):
        raise ValueError("must be -1 or 1 (thumbs) or 1 to 5 (stars)")
    return value


class Feedback(Props):
    # An int checked by hand: a Literal would let `true` and `1.0` through as 1.
    rating: Annotated[int, AfterValidator(_rating)]
    comment: Text | None = None


class Location(Props):
    city: Name | None = None
    region: Name | None = None
    country: Name | None = None
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None


class SessionStart(Props):
    client_info: Text | dict[str, Any] | None = None
    location: Location | None = None


class SessionEnd(Props):
    status: Literal["completed", "error"]
    reason: Text | None = None


class ConversationEnd(Props):
    status: Literal["completed", "handover"]


class Message(Props):
    message_id: Name | None = None
    content: Text


class BotResponse(Message):
    latency_ms: NonNegative
    fallback: bool | None = False
    model: Name | None = None
    tokens_in: Annotated[int, Field(ge=0, le=INT32_MAX)] | None = None
    tokens_out: Annotated[int, Field(ge=0, le=INT32_MAX)] | None = None
    cost: NonNegative | None = None


class Error(Props):
    kind: Name
    message: Text


class Performance(Props):
    cpu_percent: NonNegative | None = None
    memory_mb: NonNegative | None = None
    active_connections: Annotated[int, Field(ge=0)] | None = None
    response_time_ms: NonNegative | None = None


Channel = Literal["widget", "backend"]

CATALOGUE: dict[str, tuple[Channel, type[Props]]] = {
    "page_view": ("widget", PageView),
    "page_hidden": ("widget", NoProps),
    "page_visible": ("widget", NoProps),
    "navigation": ("widget", Navigation),
    "widget_open": ("widget", NoProps),
    "widget_close": ("widget", WidgetClose),
    "lead_submitted": ("widget", LeadSubmitted),
    "handover_requested": ("widget", HandoverRequested),
    "product_interest": ("widget", ProductInterest),
    "conversion": ("widget", Conversion),
    "feedback": ("widget", Feedback),
    "session_start": ("backend", SessionStart),
    "session_end": ("backend", SessionEnd),
    "conversation_start": ("backend", NoProps),
    "conversation_end": ("backend", ConversationEnd),
    "user_message": ("backend", Message),
    "bot_response": ("backend", BotResponse),
    "system_message": ("backend", Message),
    "error": ("backend", Error),
    "performance": ("backend", Performance),
}

# The message types need a conversation_id; their message_type in the messages table.
MESSAGE_TYPES: dict[str, str] = {
    "user_message": "user",
    "bot_response": "bot",
    "system_message": "system",
}

CUSTOM_CHANNEL: Channel = "widget"


def channel_of(event_type: str) -> Channel:
    """The default `source` of a type: its catalogue channel, `widget` for custom events."""
    entry = CATALOGUE.get(event_type)
    return entry[0] if entry else CUSTOM_CHANNEL
