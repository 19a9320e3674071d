"""Return on investment of the chatbot over a range: what it cost, and what its leads and conversions
were worth.

The cost is, in this order of precedence: a cost per month, spread over the calendar months the range
covers (each month in proportion to the part of it inside the range); a cost per conversation, times
the conversations started in the range; or else the summed `cost` of the bot replies of the range.
The value is the leads of the range times a value per lead, plus the conversions of the range: times
a value per conversion when one is given, else the sum of their own `value`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection

from chatlytics.analytics.conversations import conversation_totals
from chatlytics.analytics.numbers import as_float, as_int, finite
from chatlytics.analytics.range import Window
from chatlytics.analytics.series import in_window
from chatlytics.analytics.status import Clock
from chatlytics.store.dialect import exact_text, json_number, json_text
from chatlytics.store.schema import events, lead_analytics, messages

CostSource = Literal["cost_per_month", "cost_per_conversation", "bot_responses", "none"]


@dataclass(frozen=True)
class RoiInputs:
    """What the figures are computed from; None where not given."""

    cost_per_month: float | None = None
    cost_per_conversation: float | None = None
    lead_value: float | None = None
    conversion_value: float | None = None
    currency: str | None = None

    def over(self, configured: RoiInputs) -> RoiInputs:
        """These (asked) values, falling back on `configured` ones. A cost asked for replaces both
        configured costs, so that a request can always choose its cost source."""
        asked = self.cost_per_month is not None or self.cost_per_conversation is not None
        costs = self if asked else configured
        return RoiInputs(
            cost_per_month=costs.cost_per_month,
            cost_per_conversation=costs.cost_per_conversation,
            lead_value=_first(self.lead_value, configured.lead_value),
            conversion_value=_first(self.conversion_value, configured.conversion_value),
            currency=self.currency if self.currency is not None else configured.currency,
        )


def _first(asked: float | None, configured: float | None) -> float | None:
    return asked if asked is not None else configured


def months_in(window: Window) -> float:
    """How many calendar months the window covers, each counted by the share of it inside."""
    total = 0.0
    month = datetime(window.start.year, window.start.month, 1)
    while month < window.end:
        following = datetime(month.year + month.month // 12, month.month % 12 + 1, 1)
        inside = min(following, window.end) - max(month, window.start)
        total += inside / (following - month)
        month = following
    return total


class Conversions(BaseModel):
    """`conversion` events of the range."""

    count: int
    value: float = Field(description="their summed `value` (in `currency` when one is set)")
    other_currency: int = Field(description="conversions left out of `value`: another currency")


def conversions(conn: Connection, window: Window, currency: str | None) -> Conversions:
    """Conversion events of the window, and the sum of their values (only those in `currency`, or
    without one, when `currency` is given; codes compare regardless of case, `eur` is `EUR`)."""
    e = events.c
    unit = exact_text(conn, json_text(conn, e.properties, "currency"))
    query = (
        sa.select(unit, sa.func.count(), sa.func.sum(json_number(conn, e.properties, "value")))
        .where(in_window(e.occurred_at, window), e.type == "conversion")
        .group_by(unit)
    )
    count = other = 0
    value = 0.0
    for code, n, total in conn.execute(query):
        count += as_int(n)
        if currency is None or code is None or code.upper() == currency.upper():
            value += as_float(total) or 0.0
        else:
            other += as_int(n)
    return Conversions(count=count, value=value, other_currency=other)


def bot_response_cost(conn: Connection, window: Window) -> float | None:
    """The summed `cost` of the bot replies of the window; None when none reported one, so that
    an unknown cost is not taken for a free chatbot."""
    m = messages.c
    query = sa.select(sa.func.sum(m.cost)).where(
        in_window(m.created_at, window), m.message_type == "bot"
    )
    return as_float(conn.execute(query).scalar_one())


class Roi(BaseModel):
    """GET /analytics/roi."""

    currency: str | None = Field(description="the currency of every amount, as configured")
    cost_source: CostSource = Field(
        description="where `cost` comes from; `none`: no cost given and no bot reply reported one"
    )
    cost: float | None = Field(description="the cost of the range; null when `cost_source` is none")
    cost_per_month: float | None = Field(
        description="the monthly cost used (asked for or configured); null when not the source"
    )
    cost_per_conversation: float | None = Field(
        description="the cost of one conversation used; null when not the source"
    )
    conversations: int = Field(description="conversations started in the range")
    resolved_conversations: int = Field(
        description="of those, ended (explicitly or by timeout) without a handover"
    )
    leads: int = Field(description="leads of the range")
    lead_value: float | None = Field(description="the value of one lead; null: leads count 0")
    conversions: Conversions
    conversion_value: float | None = Field(
        description="the value of one conversion used; null: their own `value` is summed"
    )
    value_source: Literal["conversion_value", "conversion_events"] = Field(
        description="conversions are valued at `conversion_value` each, or by their own `value`"
    )
    total_value: float = Field(description="leads * lead_value + the value of the conversions")
    cost_per_lead: float | None = Field(description="cost / leads; null without leads")
    cost_per_resolved_conversation: float | None = Field(
        description="cost / resolved_conversations; null without any"
    )
    roi: float | None = Field(description="(total_value - cost) / cost; null when cost is 0")


def roi(conn: Connection, window: Window, clock: Clock, inputs: RoiInputs) -> Roi:
    """Cost, value and return of the window, from `inputs` and the stored events."""
    totals = conversation_totals(conn, window, clock)
    source: CostSource
    cost: float | None
    if inputs.cost_per_month is not None:
        source, cost = "cost_per_month", inputs.cost_per_month * months_in(window)
    elif inputs.cost_per_conversation is not None:
        source, cost = "cost_per_conversation", inputs.cost_per_conversation * totals.total
    else:
        cost = bot_response_cost(conn, window)
        source = "bot_responses" if cost is not None else "none"
    where = in_window(lead_analytics.c.created_at, window)
    leads = as_int(conn.execute(sa.select(sa.func.count()).where(where)).scalar_one())
    converted = conversions(conn, window, inputs.currency)
    if inputs.conversion_value is not None:
        conversion_total = inputs.conversion_value * converted.count
    else:
        conversion_total = converted.value
    value = leads * (inputs.lead_value or 0.0) + conversion_total
    return Roi(
        currency=inputs.currency,
        cost_source=source,
        cost=cost,
        cost_per_month=inputs.cost_per_month if source == "cost_per_month" else None,
        cost_per_conversation=inputs.cost_per_conversation
        if source == "cost_per_conversation"
        else None,
        conversations=totals.total,
        resolved_conversations=totals.completed,
        leads=leads,
        lead_value=inputs.lead_value,
        conversions=converted,
        conversion_value=inputs.conversion_value,
        value_source="conversion_value"
        if inputs.conversion_value is not None
        else "conversion_events",
        total_value=value,
        cost_per_lead=finite(cost / leads) if leads and cost is not None else None,
        cost_per_resolved_conversation=finite(cost / totals.completed)
        if totals.completed and cost is not None
        else None,
        roi=finite((value - cost) / cost) if cost else None,
    )
