"""A seeded, realistic mix of chatbot traffic: the events to send, and the facts they imply.

`build(seed)` writes sessions for a dozen users (widget and chat-server events, conversations with bot
latencies and fallbacks, leads, handovers with and without a conversation, errors, custom events,
session ends from either side, sessions left to time out and sessions still active) and returns a
`Scenario`. Its facts (sessions, conversations, messages, ...) are folded here in plain Python from the
scenario's own events, following the documented definitions, never from project code or SQL; the
expected figures of each endpoint are computed from those facts in `tests.analytics.expected`.

All times are whole seconds, at least a minute before `now`. Nothing but an active session's events
lies within 45 minutes of `now - TIMEOUT`, so whether a span timed out cannot flip while a test runs.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

TIMEOUT = timedelta(minutes=30)  # the app's default SESSION_TIMEOUT_MINUTES
WINDOW_DAYS = 6
SESSION_KINDS = (
    "completed",
    "error",
    "widget_end",
    "both_ends",
    "timed_out",
    "active",
    "widget_only",
)
CONVERSATION_ENDS = ("completed", "handover_end", "handover_named", "open")
LEAD_TYPES = ("contact", "demo", "Demo", "quote")
SUPPORT_OPTIONS = ("email", "phone", "Email", "callback")
ISSUES = (
    ["billing"],
    ["Billing", "refund"],
    ["delivery"],
    ["refund", "refund"],
    ["other", "billing"],
)
CITIES = ({"city": "Lyon", "country": "FR"}, {"city": "Porto", "country": "PT"}, None)
OFFSETS = (UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-7)))


@dataclass(frozen=True)
class Event:
    """One event as the scenario knows it (times naive UTC)."""

    event_id: str
    type: str
    source: str
    user_id: str
    session_id: str
    conversation_id: str | None
    at: datetime
    page_url: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)

    def wire(self, offset: timezone) -> dict[str, Any]:
        """The event as sent; its timestamp written in `offset` (the same instant)."""
        body: dict[str, Any] = {
            "event_id": self.event_id,
            "type": self.type,
            "source": self.source,
            "timestamp": self.at.replace(tzinfo=UTC).astimezone(offset).isoformat(),
            "user_id": self.user_id,
            "session_id": self.session_id,
            "properties": self.properties,
        }
        if self.conversation_id is not None:
            body["conversation_id"] = self.conversation_id
        if self.page_url is not None:
            body["page_url"] = self.page_url
        return body


@dataclass(frozen=True)
class Draft:
    """An event of a session's script, `offset` seconds after the session's start."""

    offset: int
    type: str
    source: str
    conversation_id: str | None = None
    page_url: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass
class Script:
    """What happens in one session, before it is placed in time."""

    session_id: str
    kind: str
    drafts: list[Draft] = field(default_factory=list)
    t: int = 0

    def add(self, gap: int, type_: str, source: str, **fields: Any) -> None:
        self.t += gap
        self.drafts.append(Draft(self.t, type_, source, **fields))


class Builder:
    """Writes scripts with a seeded random source and places them around `now`."""

    def __init__(self, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.window_start = (now - timedelta(days=WINDOW_DAYS)).replace(hour=0, minute=0, second=0)
        self.events: list[Event] = []
        self._ids = itertools.count()
        self._ends = itertools.cycle(CONVERSATION_ENDS)
        self._leads = itertools.cycle(LEAD_TYPES)
        self._options = itertools.cycle(SUPPORT_OPTIONS)
        self._issues = itertools.cycle(ISSUES)
        self._handover_spots = itertools.cycle(("before", "none", "after", "none", "none"))

    def _handover(self, s: Script, conversation: str | None) -> None:
        s.add(
            self.rng.randint(2, 30),
            "handover_requested",
            "widget",
            conversation_id=conversation,
            properties={
                "issues": next(self._issues),
                "support_option": next(self._options),
                "last_message": "I want a person",
            },
        )

    def _conversation(self, s: Script, cid: str, ending: str) -> None:
        rng = self.rng
        s.add(rng.randint(5, 60), "conversation_start", "backend", conversation_id=cid)
        for turn in range(rng.randint(1, 5)):
            props: dict[str, Any] = {"content": f'question {turn} <b>&amp;</b> "quoted"'}
            if rng.random() < 0.5:
                props["message_id"] = f"m-{next(self._ids)}"
            s.add(
                rng.randint(3, 90), "user_message", "backend", conversation_id=cid, properties=props
            )
            # Mostly ordinary; some exactly on a histogram bound, some very slow.
            latency = (
                round(rng.uniform(80, 4000), 1)
                if rng.random() < 0.85
                else rng.choice([250.0, 1000.0, 10000.0, 15000.5])
            )
            s.add(
                rng.randint(1, 10),
                "bot_response",
                "backend",
                conversation_id=cid,
                properties={
                    "content": f"answer {turn}",
                    "latency_ms": latency,
                    "fallback": rng.random() < 0.2,
                },
            )
            if rng.random() < 0.15:
                s.add(
                    1,
                    "system_message",
                    "backend",
                    conversation_id=cid,
                    properties={"content": "agent joined"},
                )
        if ending == "handover_named":
            self._handover(s, cid)
        if ending in ("completed", "handover_end"):
            status = "completed" if ending == "completed" else "handover"
            s.add(
                rng.randint(2, 40),
                "conversation_end",
                "backend",
                conversation_id=cid,
                properties={"status": status},
            )

    def script(self, session_id: str, kind: str) -> Script:
        """The events of one session of `kind` (one of SESSION_KINDS)."""
        rng, s = self.rng, Script(session_id, kind)
        page = f"https://shop.example/p/{rng.randint(1, 9)}"
        if kind != "widget_only":
            location = rng.choice(CITIES)
            s.add(
                0,
                "session_start",
                "backend",
                properties={"client_info": "Mozilla/5.0", "location": location} if location else {},
            )
        s.add(rng.randint(1, 20), "page_view", "widget", page_url=page, properties={"title": "P"})
        s.add(rng.randint(1, 30), "widget_open", "widget", page_url=page)
        spot = next(self._handover_spots) if kind != "widget_only" else "none"
        if spot == "before":
            self._handover(s, None)
        conversations = 0 if kind == "widget_only" else rng.choice((0, 1, 1, 2))
        for n in range(conversations):
            # An active session's last conversation is left open: someone is still chatting.
            last = n == conversations - 1
            ending = "open" if kind == "active" and last else next(self._ends)
            self._conversation(s, f"{session_id}-c{n}", ending)
        if spot == "after" or (spot == "before" and rng.random() < 0.5):
            self._handover(s, None)
        if rng.random() < 0.5:
            conversation = f"{session_id}-c0" if conversations and rng.random() < 0.5 else None
            s.add(
                rng.randint(5, 60),
                "lead_submitted",
                "widget",
                conversation_id=conversation,
                page_url=page,
                properties={"lead_type": next(self._leads), "email": "a@b.example"},
            )
        if rng.random() < 0.3 and kind != "widget_only":
            s.add(
                rng.randint(1, 9),
                "error",
                "backend",
                properties={"kind": "timeout", "message": "LLM timed out"},
            )
        if rng.random() < 0.3:
            s.add(rng.randint(1, 9), "pricing.viewed", "widget", page_url=page + "#pricing")
        s.add(
            rng.randint(5, 120),
            "widget_close",
            "widget",
            page_url=page,
            properties={"time_spent_seconds": rng.randint(5, 1200) / 4},
        )
        if kind in ("completed", "error", "both_ends"):
            s.add(
                rng.randint(1, 30),
                "session_end",
                "backend",
                properties={"status": "completed" if kind == "completed" else "error"},
            )
        if kind in ("widget_end", "both_ends"):
            s.add(rng.randint(1, 30), "session_end", "widget", properties={"status": "completed"})
        return s

    def place(self, s: Script, user: str, start: datetime) -> None:
        """Turn the script into events of `user` starting at `start`."""
        for d in s.drafts:
            self.events.append(
                Event(
                    f"ev-{next(self._ids):05d}",
                    d.type,
                    d.source,
                    user,
                    s.session_id,
                    d.conversation_id,
                    start + timedelta(seconds=d.offset),
                    d.page_url,
                    d.properties,
                )
            )

    def start_for(self, s: Script) -> datetime:
        """A start that keeps the session where its kind needs it (see the module docstring)."""
        span = timedelta(seconds=s.t)
        if s.kind == "active":
            return self.now - timedelta(seconds=self.rng.randint(60, 600)) - span
        latest = self.now - TIMEOUT - timedelta(minutes=45) - span
        seconds = int((latest - self.window_start).total_seconds())
        return self.window_start + timedelta(seconds=self.rng.randint(1, seconds))


@dataclass
class Scenario:
    """The events of a scenario and the moments they are relative to."""

    now: datetime
    window_start: datetime
    events: list[Event]

    def wire(self) -> list[dict[str, Any]]:
        """Every event in the wire format, timestamps in a mix of UTC offsets."""
        offsets = itertools.cycle(OFFSETS)
        return [e.wire(next(offsets)) for e in self.events]

    def batches(self, size: int = 200) -> Iterator[list[dict[str, Any]]]:
        wire = self.wire()
        for i in range(0, len(wire), size):
            yield wire[i : i + size]


def build(seed: int = 7, now: datetime | None = None) -> Scenario:
    """The scenario for `seed`; `now` (naive UTC) defaults to the current second."""
    now = now or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    b = Builder(seed, now)
    kinds = itertools.cycle(SESSION_KINDS)
    users = [f"user-{n:02d}" for n in range(16)]
    serial = itertools.count()
    # Before the window: a returning user's first visit, and one outside the default 30 days too.
    b.place(b.script("s-old-10d", "completed"), users[0], now - timedelta(days=10, hours=3))
    b.place(b.script("s-old-40d", "completed"), users[1], now - timedelta(days=40))
    # Started before the window, still going inside it: its user counts, the session does not.
    straddle = b.script("s-straddle", "timed_out")
    straddle.add(1800, "page_view", "widget", page_url="https://shop.example/late")
    b.place(straddle, users[2], b.window_start - timedelta(minutes=10))
    # Started on the window's first instant (from is inclusive).
    b.place(b.script("s-edge", "completed"), users[3], b.window_start)
    for user in [users[0], *users[3:]]:
        for _ in range(b.rng.choice((1, 1, 2, 3))):
            script = b.script(f"s-{next(serial):03d}", next(kinds))
            b.place(script, user, b.start_for(script))
    return Scenario(now, b.window_start, sorted(b.events, key=lambda e: e.event_id))


# ---- Facts: what the events imply, folded by the documented rules --------------------------------


@dataclass
class Span:
    """A session or a conversation as its events define it."""

    id: str
    user_id: str
    session_id: str
    started: datetime
    last: datetime
    ended: datetime | None = None
    end_status: str | None = None
    end_source: str | None = None
    events: int = 0
    messages: int = 0
    user_messages: int = 0
    bot_messages: int = 0
    fallbacks: int = 0
    has_widget: bool = False
    has_backend: bool = False
    handover: bool = False
    location: dict[str, Any] | None = None

    def timed_out(self, now: datetime) -> bool:
        return self.ended is None and self.last < now - TIMEOUT

    def effective_end(self, now: datetime) -> datetime | None:
        return self.last if self.timed_out(now) else self.ended

    def duration(self, now: datetime) -> int | None:
        end = self.effective_end(now)
        return int((end - self.started).total_seconds()) if end is not None else None


def _spans(events: list[Event], key: str) -> dict[str, Span]:
    spans: dict[str, Span] = {}
    ends: dict[str, list[Event]] = {}
    for e in sorted(events, key=lambda e: (e.at, e.event_id)):  # first event = earliest
        span_id = getattr(e, key)
        if span_id is None:
            continue
        span = spans.setdefault(span_id, Span(span_id, e.user_id, e.session_id, e.at, e.at))
        span.last = max(span.last, e.at)
        span.events += 1
        span.messages += e.type in ("user_message", "bot_response", "system_message")
        span.user_messages += e.type == "user_message"
        span.bot_messages += e.type == "bot_response"
        span.fallbacks += e.type == "bot_response" and bool(e.properties.get("fallback"))
        span.has_widget |= e.source == "widget"
        span.has_backend |= e.source == "backend"
        end_type = "session_end" if key == "session_id" else "conversation_end"
        if e.type == end_type:
            ends.setdefault(span_id, []).append(e)
        if e.type == "session_start" and span.location is None:
            span.location = e.properties.get("location")
        if key == "conversation_id" and (
            e.type == "handover_requested"
            or (e.type == "conversation_end" and e.properties["status"] == "handover")
        ):
            span.handover = True
    for span_id, found in ends.items():
        # Sessions: an end from the chat server beats one from the widget; then the latest wins.
        win = max(
            found, key=lambda e: (key == "session_id" and e.source == "backend", e.at, e.event_id)
        )
        spans[span_id].ended, spans[span_id].end_status = win.at, win.properties["status"]
        spans[span_id].end_source = win.source
    return spans


@dataclass
class Facts:
    """Everything the figures are computed from."""

    events: list[Event]
    sessions: dict[str, Span]
    conversations: dict[str, Span]
    handover_conversation: dict[str, str | None]  # handover event_id -> its conversation

    def of_type(self, *types: str) -> list[Event]:
        return [e for e in self.events if e.type in types]


def facts(scenario: Scenario) -> Facts:
    """Fold the scenario's events into sessions, conversations and handover assignments."""
    events = scenario.events
    conversations = _spans(events, "conversation_id")
    assigned: dict[str, str | None] = {}
    for h in (e for e in events if e.type == "handover_requested"):
        if h.conversation_id is not None:
            assigned[h.event_id] = h.conversation_id
            continue
        # Unnamed: the latest conversation of its session started at or before it, else the first
        # started after it.
        mine = sorted(
            (c.started, c.id) for c in conversations.values() if c.session_id == h.session_id
        )
        before = [c for c in mine if c[0] <= h.at]
        chosen = before[-1][1] if before else (mine[0][1] if mine else None)
        assigned[h.event_id] = chosen
        if chosen is not None:
            conversations[chosen].handover = True
    return Facts(events, _spans(events, "session_id"), conversations, assigned)
