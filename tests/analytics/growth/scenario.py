"""A seeded mix of visitors for the growth figures: the events to send, and what they imply.

`build(seed)` writes sessions for a few dozen users over four weeks from a Monday (and a few before
them): page views, widget opens, messages, leads, conversions, product interest (products named by id
or by name, with awkward names), feedback of every rating and a custom event, in every order, with
ties and sub-second gaps; plus a handful of hand-made visitors for the edge cases. The expected
figures are folded from these events in plain Python in `tests.analytics.growth.expected`, never
from project code or SQL.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from chatlytics.store.timing import utcnow

WEEKS = 4
# (product_name, product_id, category): `Boots`, `boots` and `Boots ` are three products; the id
# `Boots` of the last one is the name of the first, so those two are one product.
PRODUCTS: tuple[tuple[str, str | None, str | None], ...] = (
    ("Trail Runner 3", "tr-3", "shoes"),
    ("Trail Runner III", "tr-3", "Shoes"),
    ("Boots", None, "shoes"),
    ("boots", None, None),
    ("Boots ", None, "shoes"),
    ('The "Big" Pack \\ 40 l', "pack-40", "bags"),
    ("Café Crème ☕", None, "drinks"),
    ("Hiking Boots", "Boots", None),
)
RATINGS = (-1, 1, 2, 3, 4, 5)
KINDS = {
    "page_view": 4,
    "widget_open": 3,
    "user_message": 4,
    "lead_submitted": 1,
    "conversion": 1,
    "product_interest": 2,
    "feedback": 1,
    "pricing.viewed": 1,
    "widget_close": 1,
}


@dataclass(frozen=True)
class Event:
    """One event as the scenario knows it (times naive UTC)."""

    event_id: str
    type: str
    user_id: str
    session_id: str
    at: datetime
    properties: dict[str, Any] = field(default_factory=dict)

    def wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "event_id": self.event_id,
            "type": self.type,
            "timestamp": self.at.replace(tzinfo=UTC).isoformat(),
            "user_id": self.user_id,
            "session_id": self.session_id,
            "properties": self.properties,
        }
        if self.type in ("user_message", "bot_response"):
            body["conversation_id"] = f"{self.session_id}-c"
        return body


@dataclass
class Scenario:
    now: datetime
    monday: datetime  # the first day of the four weeks
    events: list[Event]

    def batches(self, size: int = 200) -> list[list[dict[str, Any]]]:
        wire = [e.wire() for e in self.events]
        return [wire[i : i + size] for i in range(0, len(wire), size)]


class Builder:
    def __init__(self, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.now = now
        start = (now - timedelta(days=7 * WEEKS + 7)).replace(hour=0, minute=0, second=0)
        self.monday = start - timedelta(days=start.weekday())
        self.events: list[Event] = []
        self._ids = itertools.count()
        self._sessions = itertools.count()

    def add(self, type_: str, user: str, session: str, at: datetime, **props: Any) -> None:
        self.events.append(Event(f"g-{next(self._ids):05d}", type_, user, session, at, props))

    def properties(self, type_: str) -> dict[str, Any]:
        rng = self.rng
        if type_ == "user_message":
            return {"content": "hi"}
        if type_ == "lead_submitted":
            return {"lead_type": "demo"}
        if type_ == "conversion":
            return {"goal": "purchase", "value": 12.5}
        if type_ == "feedback":
            return {"rating": rng.choice(RATINGS)}
        if type_ == "widget_close":
            return {"time_spent_seconds": 12}
        if type_ == "product_interest":
            name, pid, category = rng.choice(PRODUCTS)
            props: dict[str, Any] = {"product_name": name}
            if pid is not None:
                props["product_id"] = pid
            if category is not None:
                props["category"] = category
            elif rng.random() < 0.3:
                props["category"] = None  # null means omitted
            return props
        return {}

    def gap(self) -> timedelta:
        rng = self.rng
        choice = rng.random()
        if choice < 0.1:
            return timedelta(0)  # a tie
        if choice < 0.2:
            return timedelta(microseconds=rng.randint(1, 999_999))
        if choice < 0.3:
            return timedelta(seconds=rng.randint(300, 1500))  # long sessions, past the time cap
        return timedelta(seconds=rng.randint(1, 120))

    def session(self, user: str, at: datetime) -> None:
        rng = self.rng
        sid = f"gs-{next(self._sessions):03d}"
        kinds, weights = list(KINDS), list(KINDS.values())
        for type_ in rng.choices(kinds, weights, k=rng.randint(1, 14)):
            self.add(type_, user, sid, at, **self.properties(type_))
            if type_ == "user_message" and rng.random() < 0.7:
                at += timedelta(seconds=1)
                self.add("bot_response", user, sid, at, content="yo", latency_ms=150.0)
            at += self.gap()

    def day(self, offset: int) -> datetime:
        second = self.rng.randint(0, 20 * 3600)
        return self.monday + timedelta(days=offset, seconds=second)


def handmade(b: Builder) -> None:
    """Visitors for the cases a random mix may miss."""
    m = b.monday
    # A first page view days before a quick second attempt: only a `window` funnel that starts
    # again from the later page view sees the open and the message.
    b.add("page_view", "h-retry", "hs-1", m + timedelta(days=2, hours=10))
    b.add("page_view", "h-retry", "hs-2", m + timedelta(days=5, hours=10))
    b.add("widget_open", "h-retry", "hs-2", m + timedelta(days=5, hours=10, minutes=20))
    b.add(
        "user_message", "h-retry", "hs-2", m + timedelta(days=5, hours=10, minutes=30), content="x"
    )
    # Open and view at the same instant: "at or after" counts it.
    tie = m + timedelta(days=8, hours=9)
    b.add("widget_open", "h-tie", "hs-3", tie)
    b.add("page_view", "h-tie", "hs-3", tie)
    # A lead before the first message, and another after it.
    at = m + timedelta(days=9, hours=15)
    for type_, props in (
        ("page_view", {}),
        ("widget_open", {}),
        ("lead_submitted", {"lead_type": "demo"}),
        ("user_message", {"content": "x"}),
        ("lead_submitted", {"lead_type": "demo"}),
        ("conversion", {"goal": "purchase"}),
    ):
        b.add(type_, "h-order", "hs-4", at, **props)
        at += timedelta(seconds=40, microseconds=250_000)
    # Two hours of heavy use: the time points are capped, and the score is cut to 100.
    at = m + timedelta(days=10, hours=8)
    b.add("page_view", "h-heavy", "hs-5", at)
    for n in range(80):
        b.add("user_message", "h-heavy", "hs-5", at + timedelta(seconds=90 * n), content="q")
    for n in range(2):
        b.add(
            "lead_submitted",
            "h-heavy",
            "hs-5",
            at + timedelta(hours=2, seconds=n),
            lead_type="demo",
        )
    # Only bad ratings: the score would be negative, and is 0.
    at = m + timedelta(days=11, hours=8)
    for n in range(3):
        b.add("feedback", "h-grumpy", "hs-6", at + timedelta(seconds=n), rating=-1)
    # Engaged, no lead, and the same product three times.
    at = m + timedelta(days=12, hours=8)
    for n in range(30):
        b.add("user_message", "h-keen", "hs-7", at + timedelta(minutes=n), content="q")
    for n in range(3):
        b.add(
            "product_interest",
            "h-keen",
            "hs-7",
            at + timedelta(minutes=40 + n),
            product_name="Boots",
        )
    b.add("feedback", "h-keen", "hs-7", at + timedelta(minutes=50), rating=5)
    # Sessions started minutes before the "cut" range: there, these visitors have no session, and
    # are flagged for their product interest alone, one of them with a lead.
    at = m + timedelta(days=9, hours=13, minutes=10)
    for user, session, lead in (("h-late-lead", "hs-9", True), ("h-late", "hs-10", False)):
        b.add("page_view", user, session, at)
        if lead:
            b.add("lead_submitted", user, session, at + timedelta(minutes=9), lead_type="call")
        for n in range(3):
            b.add(
                "product_interest",
                user,
                session,
                at + timedelta(minutes=10 + n),
                product_name=f"Tyre {n}",
            )
    # A session going on across the "cut" range's start, with page views on both sides of it: there,
    # its funnel starts at the later page view, not at the session's first.
    at = m + timedelta(days=9, hours=13, minutes=12)
    b.add("page_view", "h-straddle", "hs-11", at)
    for n, kind in enumerate(("page_view", "widget_open", "user_message"), start=6):
        extra = {"content": "Which tyre fits?"} if kind == "user_message" else {}
        b.add(kind, "h-straddle", "hs-11", at + timedelta(minutes=n), **extra)
    # A health sample carrying a user id feeds no visitor.
    b.add("performance", "h-machine", "hs-8", at, cpu_percent=3.0)


def build(seed: int = 11, now: datetime | None = None) -> Scenario:
    now = now or utcnow().replace(microsecond=0)
    b = Builder(seed, now)
    for n in range(36):
        user = f"g-user-{n:02d}"
        if n % 6 == 0:  # first seen before the four weeks
            b.session(user, b.day(-b.rng.randint(3, 12)))
        first = b.rng.randint(0, 7 * WEEKS - 1)
        b.session(user, b.day(first))
        for _ in range(b.rng.choice((0, 0, 1, 2, 3))):
            b.session(user, b.day(b.rng.randint(first, 7 * WEEKS - 1)))
    handmade(b)
    return Scenario(now, b.monday, sorted(b.events, key=lambda e: e.event_id))
