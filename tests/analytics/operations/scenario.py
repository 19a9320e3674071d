"""A seeded mix of chatbot traffic aimed at the operations figures, as `tests.scenario.Event`s.

Besides sessions, conversations and messages it writes what those figures read: bot latencies on and
around the class bounds (1 s, 3 s, 10 s) and with ties, fallbacks after questions written in several
ways, widget closes just before, at and after 60 s from a reply (some with a user message between),
handovers named and assigned, feedback on both scales (some without conversation), conversions in
several currencies, errors of several kinds, and the chat server's `performance` samples.

Times are whole seconds; nothing but an active session lies within 45 minutes of `now - TIMEOUT`, so
statuses cannot change while a test runs (as in `tests.scenario`).
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.scenario import TIMEOUT, Event, Scenario

WINDOW_DAYS = 6
QUESTIONS = (
    "Do you ship to Canada?",
    "do you ship to canada",
    "  Do you   SHIP to Canada!! ",
    "Where is my order?",
    "where is my order…",
    "Can I pay by card?",
    "¿Hablas español?",
)
LATENCIES = (250.0, 999.9, 1000.0, 1500.5, 2999.0, 3000.0, 4200.0, 9999.9, 10000.0, 15000.5)
RATINGS = (-1, 1, 1, 2, 3, 4, 5, 5)
CURRENCIES = ("EUR", "eur", "USD", None)  # a currency code in either case is the same one
ERROR_KINDS = ("timeout", "tool", "Timeout")
ISSUES: tuple[list[str], ...] = (["billing"], ["refund", "billing"], ["delivery", "delivery"], [])
ENDINGS = ("completed", "handover_end", "handover_named", "open", "completed")


class Writer:
    """Writes one session's events, advancing a clock in whole seconds."""

    def __init__(self, build: Build, session: str, user: str, start: datetime) -> None:
        self.build, self.session, self.user, self.at = build, session, user, start
        self.conversation: str | None = None

    def add(self, gap: int, type_: str, source: str = "backend", **props: Any) -> Event:
        self.at += timedelta(seconds=gap)
        named = props.pop("conversation", self.conversation)
        event = Event(
            f"op-{next(self.build.ids):05d}",
            type_,
            source,
            self.user,
            self.session,
            named,
            self.at,
            properties=props,
        )
        self.build.events.append(event)
        return event


class Build:
    """The seeded choices, and the events written so far."""

    def __init__(self, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.start = (now - timedelta(days=WINDOW_DAYS)).replace(hour=0, minute=0, second=0)
        self.events: list[Event] = []
        self.ids = itertools.count()
        self.endings = itertools.cycle(ENDINGS)

    def handover(self, w: Writer, gap: int, option: str, conversation: str | None) -> None:
        issues = self.rng.choice(ISSUES)
        w.add(
            gap,
            "handover_requested",
            "widget",
            issues=issues,
            support_option=option,
            conversation=conversation,
        )

    def chat(self, w: Writer, cid: str, ending: str) -> None:
        rng = self.rng
        w.conversation = cid
        w.add(rng.randint(2, 30), "conversation_start")
        for turn in range(rng.randint(1, 4)):
            text = rng.choice(QUESTIONS) if rng.random() < 0.7 else f"unique {cid} {turn}"
            w.add(rng.randint(2, 40), "user_message", content=text)
            props: dict[str, Any] = {
                "content": f"answer {turn}",
                "latency_ms": rng.choice(LATENCIES),
            }
            props["fallback"] = rng.random() < 0.3
            if rng.random() < 0.6:
                props["cost"] = rng.choice((0.001, 0.0025, 0.01))
            w.add(rng.randint(1, 12), "bot_response", **props)
            if rng.random() < 0.25:  # the visitor closes the widget right after the reply...
                w.add(
                    rng.choice((0, 30, 59, 60, 61)),
                    "widget_close",
                    "widget",
                    time_spent_seconds=1.0,
                )
            elif rng.random() < 0.1:  # ... or writes again first, then closes
                w.add(3, "user_message", content="hello?")
                w.add(20, "widget_close", "widget", time_spent_seconds=2.0)
        if ending == "handover_named":
            self.handover(w, rng.randint(1, 20), "email", cid)
        if ending in ("completed", "handover_end"):
            status = "completed" if ending == "completed" else "handover"
            w.add(rng.randint(1, 20), "conversation_end", status=status)
        if rng.random() < 0.5:
            unnamed = rng.random() < 0.3
            w.add(
                rng.randint(1, 60),
                "feedback",
                "widget",
                rating=rng.choice(RATINGS),
                conversation=None if unnamed else cid,
            )
        w.conversation = None

    def session(self, session: str, user: str, kind: str) -> None:
        rng = self.rng
        start = self.place(kind)
        w = Writer(self, session, user, start)
        w.add(0, "session_start")
        w.add(rng.randint(1, 20), "widget_open", "widget")
        if rng.random() < 0.3:
            self.handover(w, rng.randint(1, 30), "phone", None)
        for n in range(1 if kind == "active" else rng.choice((1, 1, 2))):
            ending = "open" if kind == "active" else next(self.endings)
            self.chat(w, f"{session}-c{n}", ending)
        if rng.random() < 0.4:
            w.add(rng.randint(1, 30), "lead_submitted", "widget", lead_type="contact")
        if rng.random() < 0.4:
            props: dict[str, Any] = {"goal": "purchase"}
            if rng.random() < 0.8:
                props["value"] = rng.choice((10.0, 25.5, 99.0))
            currency = rng.choice(CURRENCIES)
            if currency is not None:
                props["currency"] = currency
            w.add(rng.randint(1, 30), "conversion", "widget", **props)
        if rng.random() < 0.3:
            w.add(rng.randint(1, 30), "error", kind=rng.choice(ERROR_KINDS), message="failed")
        if kind == "ended":
            w.add(rng.randint(1, 30), "session_end", status=rng.choice(("completed", "error")))

    def place(self, kind: str) -> datetime:
        if kind == "active":
            return self.now - timedelta(minutes=20)
        latest = self.now - TIMEOUT - timedelta(minutes=45) - timedelta(hours=1)
        seconds = int((latest - self.start).total_seconds())
        return self.start + timedelta(seconds=self.rng.randint(1, seconds))

    def samples(self) -> None:
        """The chat server's health, every 40 minutes; some samples lack a figure."""
        at = self.start - timedelta(hours=2)
        while at < self.now - timedelta(minutes=5):
            props: dict[str, Any] = {
                "cpu_percent": self.rng.choice((12.5, 40.0, 97.25)),
                "memory_mb": self.rng.choice((512.0, 768.5)),
                "active_connections": self.rng.randint(0, 40),
                "response_time_ms": self.rng.choice((120.0, 800.0, 2400.5)),
            }
            if self.rng.random() < 0.2:
                del props[self.rng.choice(sorted(props))]
            self.events.append(
                Event(
                    f"perf-{next(self.ids):05d}",
                    "performance",
                    "backend",
                    "server",
                    "server",
                    None,
                    at,
                    properties=props,
                )
            )
            at += timedelta(minutes=40)


def build(seed: int = 11, now: datetime | None = None) -> Scenario:
    """The scenario for `seed`; `now` (naive UTC) defaults to the current second."""
    now = now or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    b = Build(seed, now)
    kinds = itertools.cycle(("ended", "timed_out", "ended", "active", "ended", "timed_out"))
    for n in range(36):
        b.session(f"s-{n:02d}", f"v-{n % 13:02d}", next(kinds))
    # Running before the window starts, and into it: present at `from` for the peak.
    early = Writer(b, "s-early", "v-early", b.start - timedelta(minutes=20))
    early.add(0, "session_start")
    early.add(1800, "page_view", "widget")
    b.samples()
    return Scenario(now, b.start, sorted(b.events, key=lambda e: e.event_id))
