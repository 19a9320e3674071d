"""Product interest: `product_interest` events of the window by product and by category, and how many
of the interested visitors went on to leave a lead or convert.

A product is named by its `product_id`, or by its `product_name` when the event has no `product_id`
(so an id and another product's name that are equal name one product).
The properties are JSON text; only the window's product_interest events are fetched (one range of
the type-led events index) and read here, which is exact and the same on every database. A visitor
interested in a product *leads* (or *converts*) when it has a lead_submitted (or conversion) event in
the window at or after its first interest in that product in the window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from chatlytics.analytics.numbers import ratio
from chatlytics.analytics.range import Window
from chatlytics.analytics.series import in_window
from chatlytics.store.dialect import exact_text, json_text
from chatlytics.store.schema import events, lead_analytics

TOP = 50
INTEREST = "product_interest"
CONVERSION = "conversion"


@dataclass(frozen=True)
class Shown:
    """One product_interest event, its properties read."""

    user_id: str
    at: datetime
    event_id: str
    product_id: str | None
    product_name: str
    category: str | None

    @property
    def key(self) -> str:
        """The product: its id, else its name (as `product_key` in SQL)."""
        return self.product_id if self.product_id is not None else self.product_name


def product_key(conn: Connection) -> ColumnElement[str]:
    """The product of a product_interest event as SQL: its product_id, else its product_name."""
    props = events.c.properties
    return exact_text(
        conn,
        sa.func.coalesce(
            json_text(conn, props, "product_id"), json_text(conn, props, "product_name")
        ),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _shown(user_id: str, at: datetime, event_id: str, properties: str) -> Shown | None:
    props = orjson.loads(properties)
    name = _text(props.get("product_name"))
    if name is None:  # a catalogue type always has one; stay safe with hand-made rows
        return None
    return Shown(
        user_id, at, event_id, _text(props.get("product_id")), name, _text(props.get("category"))
    )


def shown(conn: Connection, window: Window, *where: ColumnElement[bool]) -> list[Shown]:
    """The window's product_interest events meeting `where`, properties read."""
    e = events.c
    query = sa.select(e.user_id, e.occurred_at, e.event_id, e.properties).where(
        e.type == INTEREST, in_window(e.occurred_at, window), *where
    )
    return [item for row in conn.execute(query) if (item := _shown(*row)) is not None]


def shown_and_converted(
    conn: Connection, window: Window
) -> tuple[list[Shown], dict[str, datetime]]:
    """The window's product_interest events, and per user its latest conversion in the window: one
    read of the raw log for both (on a server that must scan the table, that halves the cost)."""
    e = events.c
    query = sa.select(
        e.type,
        e.user_id,
        e.occurred_at,
        e.event_id,
        sa.case((e.type == INTEREST, e.properties), else_=sa.null()),
    ).where(e.type.in_((INTEREST, CONVERSION)), in_window(e.occurred_at, window))
    items: list[Shown] = []
    converted: dict[str, datetime] = {}
    for kind, user_id, at, event_id, properties in conn.execute(query):
        if kind == CONVERSION:
            converted[user_id] = max(converted.get(user_id, at), at)
        elif (item := _shown(user_id, at, event_id, properties)) is not None:
            items.append(item)
    return items, converted


class Interest(BaseModel):
    """Interest in one product or category, and what the interested visitors did next."""

    interest_events: int = Field(description="product_interest events of the range")
    visitors: int = Field(description="distinct users behind them")
    leads: int = Field(description="of those visitors, how many left a lead at or after it")
    lead_rate: float = Field(description="leads / visitors")
    conversions: int = Field(description="of those visitors, how many converted at or after it")
    conversion_rate: float = Field(description="conversions / visitors")


class _Product(BaseModel):
    product_id: str | None = Field(description="null when the product is named by its name")
    product_name: str = Field(description="as on the product's latest event of the range")
    category: str | None = Field(
        description="as on the product's latest event of the range that has one"
    )


class _Category(BaseModel):
    category: str


# The names first: pydantic lays out the fields of the last base class first.
class ProductInterest(Interest, _Product):
    """Interest in one product."""


class CategoryInterest(Interest, _Category):
    """Interest in one category."""


class ProductFigures(BaseModel):
    """GET /analytics/products."""

    interest_events: int = Field(description="product_interest events of the range")
    visitors: int = Field(description="distinct users who showed interest in a product")
    by_product: list[ProductInterest] = Field(
        description=f"at most {TOP} products, most interest first"
    )
    by_category: list[CategoryInterest] = Field(
        description=f"at most {TOP} categories, most interest first (events without a category "
        "are left out)"
    )


@dataclass
class _Tally:
    events: int = 0
    first: dict[str, datetime] = field(default_factory=dict)  # visitor -> first interest

    def add(self, item: Shown) -> None:
        self.events += 1
        seen = self.first.get(item.user_id)
        if seen is None or item.at < seen:
            self.first[item.user_id] = item.at

    def figures(self, leads: dict[str, datetime], conversions: dict[str, datetime]) -> Interest:
        def after(last: dict[str, datetime]) -> int:
            return sum(1 for who, at in self.first.items() if who in last and last[who] >= at)

        led, converted, visitors = after(leads), after(conversions), len(self.first)
        return Interest(
            interest_events=self.events,
            visitors=visitors,
            leads=led,
            lead_rate=ratio(led, visitors),
            conversions=converted,
            conversion_rate=ratio(converted, visitors),
        )


def last_leads(conn: Connection, window: Window) -> dict[str, datetime]:
    """Per user, the time of its latest lead in the window."""
    q = lead_analytics.c
    # exact_text keeps MariaDB from walking the whole table along the user index (see funnel).
    user = exact_text(conn, q.user_id)
    query = (
        sa.select(user, sa.func.max(q.created_at))
        .where(in_window(q.created_at, window))
        .group_by(user)
    )
    return {who: at for who, at in conn.execute(query)}


def latest(items: Iterable[Shown]) -> dict[str, Shown]:
    """Per product, its latest event (ties: the larger event_id)."""
    found: dict[str, Shown] = {}
    for item in items:
        held = found.get(item.key)
        if held is None or (item.at, item.event_id) > (held.at, held.event_id):
            found[item.key] = item
    return found


def product_figures(conn: Connection, window: Window) -> ProductFigures:
    """Interest by product and by category in the window, and the leads and conversions after it."""
    items, conversions = shown_and_converted(conn, window)
    leads = last_leads(conn, window)
    products: dict[str, _Tally] = {}
    categories: dict[str, _Tally] = {}
    for item in items:
        products.setdefault(item.key, _Tally()).add(item)
        if item.category is not None:
            categories.setdefault(item.category, _Tally()).add(item)
    newest = latest(items)
    named = latest(item for item in items if item.category is not None)
    by_product = [
        ProductInterest(
            product_id=newest[key].product_id,
            product_name=newest[key].product_name,
            category=named[key].category if key in named else None,
            **tally.figures(leads, conversions).model_dump(),
        )
        for key, tally in products.items()
    ]
    by_product.sort(key=lambda p: (-p.interest_events, p.product_name, p.product_id or ""))
    by_category = [
        CategoryInterest(category=name, **tally.figures(leads, conversions).model_dump())
        for name, tally in categories.items()
    ]
    by_category.sort(key=lambda c: (-c.interest_events, c.category))
    return ProductFigures(
        interest_events=len(items),
        visitors=len({item.user_id for item in items}),
        by_product=by_product[:TOP],
        by_category=by_category[:TOP],
    )
