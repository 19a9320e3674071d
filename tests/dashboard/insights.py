"""Three weeks of a small shop's chatbot for the growth and operations panels, and what they imply.

`build(now)` writes eleven visitors over the three whole weeks before this one (Monday to Sunday,
UTC): page views, chat opens, questions (three of them the same question, written two ways, that the
bot cannot answer), product interest, leads, conversions, ratings, handovers and errors, every
session and conversation explicitly ended; and three health samples of the chat server. `Expected` folds the figures the panels show from those
events in plain Python, following the documented definitions, never from project code or SQL.
Times are whole seconds and no two steps of one visitor share a time.
"""

from __future__ import annotations

import calendar
import itertools
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

FUNNEL = ("page_view", "widget_open", "user_message", "lead_submitted", "conversion")
TRACTORS = "Do you fit tractor tyres?"
PRODUCTS = {
    "p-1": ("All-Season 205/55 R16", "all-season"),
    "p-2": ("Winter 225/45 R17", "winter"),
}
# The collector's ROI settings for the scenario: all in euros.
COST_PER_CONVERSATION = 2.5
LEAD_VALUE = 40.0
ROI_SETTINGS: dict[str, object] = {
    "ROI_COST_PER_CONVERSATION": COST_PER_CONVERSATION,
    "ROI_LEAD_VALUE": LEAD_VALUE,
    "ROI_CURRENCY": "EUR",
}
BACKEND = {"session_start", "session_end", "conversation_start", "conversation_end"}
BACKEND |= {"user_message", "bot_response", "error", "performance"}
# The chat server's health samples: (day, hour, properties); a sample may leave out any figure.
SAMPLES = (
    (
        0,
        9,
        {
            "cpu_percent": 40.0,
            "memory_mb": 500.0,
            "active_connections": 7,
            "response_time_ms": 900.0,
        },
    ),
    (0, 21, {"cpu_percent": 61.0, "memory_mb": 545.0, "active_connections": 12}),
    (9, 10, {"cpu_percent": 35.0, "active_connections": 3, "response_time_ms": 1200.0}),
)


@dataclass(frozen=True)
class Event:
    type: str
    user: str
    session: str
    at: datetime
    conversation: str | None
    properties: dict[str, Any]


@dataclass
class Visit:
    """One session: events `gap` seconds apart, in one conversation once the chat is opened."""

    user: str
    session: str
    at: datetime
    events: list[Event] = field(default_factory=list)
    conversation: str | None = None

    def add(self, type_: str, gap: int = 20, **properties: Any) -> Visit:
        self.at += timedelta(seconds=gap)
        self.events.append(
            Event(type_, self.user, self.session, self.at, self.conversation, properties)
        )
        return self

    def chat(self, question: str, *, latency: float = 800.0, fallback: bool = False) -> Visit:
        self.conversation = f"{self.session}-c"
        self.add("conversation_start", 5)
        self.add("user_message", content=question)
        return self.reply(latency, fallback=fallback)

    def reply(self, latency: float, *, fallback: bool = False) -> Visit:
        return self.add("bot_response", 2, content="…", latency_ms=latency, fallback=fallback)

    def interest(self, product: str, times: int = 1) -> Visit:
        name, category = PRODUCTS[product]
        for _ in range(times):
            self.add("product_interest", product_id=product, product_name=name, category=category)
        return self

    def end(self, status: str = "completed") -> Visit:
        if self.conversation:
            self.add("conversation_end", status=status)
        return self.add("session_end", status="completed")


@dataclass
class Scenario:
    monday: datetime  # the first day shown; the range is three whole weeks from it
    events: list[Event]  # the visitors'
    samples: list[Event]  # the chat server's health samples: no visitor's, no session's

    @property
    def query(self) -> str:
        last = (self.monday + timedelta(days=20)).date().isoformat()
        return f"range=custom&start={self.monday.date().isoformat()}&end={last}&interval=day"

    def wire(self) -> list[dict[str, Any]]:
        ids = itertools.count()
        return [
            {
                "event_id": f"ins-{next(ids):04d}",
                "type": e.type,
                "source": "backend" if e.type in BACKEND else "widget",
                "timestamp": e.at.isoformat().replace("+00:00", "Z"),
                "user_id": e.user,
                "session_id": e.session,
                "properties": e.properties,
                **({"conversation_id": e.conversation} if e.conversation else {}),
            }
            for e in self.events + self.samples
        ]


def build(now: datetime | None = None) -> Scenario:
    now = now or datetime.now(UTC)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    m = today - timedelta(days=today.weekday() + 21)
    visits: list[Visit] = []

    def visit(user: str, day: int, hour: int, minute: int = 0) -> Visit:
        v = Visit(
            user, f"{user}-s{len(visits)}", m + timedelta(days=day, hours=hour, minutes=minute)
        )
        v.add("session_start", 0).add("page_view", 3, title="Tyres")
        visits.append(v)
        return v

    # Week 0. Three sessions overlap on Monday from 09:08: the peak.
    # u-a's question gets a two-part answer: slow on average, slowest of all at its worst.
    a = visit("u-a", 0, 9).add("widget_open", 30).chat("Which tyres fit my Golf?").reply(5200.0)
    a.interest("p-1").add("lead_submitted", 40, lead_type="quote")
    a.add("conversion", 360, goal="purchase", value=100.0, currency="EUR").add("feedback", rating=5)
    a.end()
    b = visit("u-b", 0, 9, 5).add("widget_open", 200).chat(TRACTORS, fallback=True).interest("p-1")
    b.add("handover_requested", issues=["billing"], support_option="phone").add(
        "feedback", rating=2
    )
    b.end("handover")
    e = visit("u-e", 0, 9, 8).add("widget_open", 40).chat("Do you fit run-flats?", latency=4200.0)
    e.add("lead_submitted", 60, lead_type="callback").add("feedback", rating=4).end()
    visit("u-c", 1, 14).add("widget_open").end()
    visit("u-d", 2, 11).end()
    # Week 1: two come back; u-f looks at one product three times and leaves no lead.
    visit("u-a", 8, 10).end()
    visit("u-c", 9, 16).end()
    f = visit("u-f", 7, 15).add("widget_open").chat("Are winter tyres worth it?").interest("p-2", 3)
    f.add("error", kind="timeout", message="the model did not answer").end()
    g = visit("u-g", 8, 9).add("widget_open").chat("do you fit tractor tyres", fallback=True)
    g.add("handover_requested", issues=["billing", "refund"], support_option="email")
    g.add("feedback", rating=-1).end("handover")
    h = visit("u-h", 10, 12).add("widget_open").chat("Price of 225/45 R17?", latency=1500.0)
    h.interest("p-2").add("lead_submitted", 90, lead_type="quote")
    h.add("conversion", 600, goal="purchase", value=50.0, currency="EUR").add("feedback", rating=5)
    h.end()
    # Week 2: u-b comes back; the last three arrive.
    visit("u-b", 15, 18).end()
    i = visit("u-i", 14, 10).add("widget_open").chat("Winter tyres for a Polo?").interest("p-2")
    i.add("lead_submitted", 120, lead_type="quote").end()
    visit("u-j", 16, 13).end()
    k = visit("u-k", 18, 20).add("widget_open").chat(TRACTORS, latency=2500.0, fallback=True)
    k.add("error", kind="timeout", message="slow").add("error", kind="tool", message="no stock")
    k.add("widget_close", 10, time_spent_seconds=80.0).end()  # 50 s after the fallback
    events = sorted((e for v in visits for e in v.events), key=lambda e: e.at)
    assert events[-1].at < today <= now
    samples = [
        Event("performance", "chat-server", "health", m + timedelta(days=d, hours=h), None, p)
        for d, h, p in SAMPLES
    ]
    return Scenario(m, events, samples)


def _by_user(events: list[Event]) -> dict[str, list[Event]]:
    found: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        found[e.user].append(e)
    return found


@dataclass(frozen=True)
class Expected:
    """The figures of the scenario's range, folded from its events."""

    scenario: Scenario

    @property
    def events(self) -> list[Event]:
        return self.scenario.events

    def funnel(
        self, steps: tuple[str, ...] = FUNNEL, by: str = "user", window: int | None = None
    ) -> list[tuple[int, float | None]]:
        """(count, median seconds from the step before) per step. A path starts at an event of the
        first step and takes the earliest event of each next step at or after the last one (within
        `window` seconds of its start); each visitor (or session) keeps the path that gets furthest,
        the earliest of those."""
        units: dict[str, list[Event]] = defaultdict(list)
        for e in self.events:
            units[e.user if by == "user" else e.session].append(e)
        limit = timedelta(seconds=window) if window else None
        times: list[list[float]] = [[] for _ in steps]
        for mine in units.values():
            kept: list[datetime] = []
            for start in sorted(e.at for e in mine if e.type == steps[0]):
                path = [start]
                for step in steps[1:]:
                    later = [
                        e.at
                        for e in mine
                        if e.type == step
                        and e.at >= path[-1]
                        and (limit is None or e.at - start <= limit)
                    ]
                    if not later:
                        break
                    path.append(min(later))
                if len(path) > len(kept):
                    kept = path
            for n, at in enumerate(kept):
                times[n].append((at - kept[n - 1]).total_seconds() if n else 0.0)
        return [(len(t), statistics.median(t) if n and t else None) for n, t in enumerate(times)]

    def cohorts(self) -> list[tuple[int, list[float]]]:
        """Weekly cohorts: (size, share active in each week from the cohort's own)."""

        def week(at: datetime) -> int:
            return (at - self.scenario.monday).days // 7

        first = {user: min(e.at for e in mine) for user, mine in _by_user(self.events).items()}
        starts: dict[str, set[int]] = defaultdict(set)
        for e in self.events:
            if e.type == "session_start":
                starts[e.user].add(week(e.at))
        found = []
        for w in range(3):
            members = [u for u, at in first.items() if week(at) == w]
            found.append(
                (
                    len(members),
                    [sum(k in starts[u] for u in members) / len(members) for k in range(w, 3)],
                )
            )
        return found

    def products(self) -> list[tuple[str, int, int]]:
        """(product name, interest events, leads) by interest, most first."""
        interest = [e for e in self.events if e.type == "product_interest"]
        rows = []
        for product, (name, _) in PRODUCTS.items():
            mine = [e for e in interest if e.properties["product_id"] == product]
            firsts = {e.user: min(x.at for x in mine if x.user == e.user) for e in mine}
            leads = sum(
                any(x.type == "lead_submitted" and x.user == u and x.at >= at for x in self.events)
                for u, at in firsts.items()
            )
            rows.append((name, len(mine), leads))
        return sorted(rows, key=lambda row: -row[1])

    def ratings(self) -> list[tuple[int, str]]:
        """(rating, outcome of its conversation)."""
        handed = {e.conversation for e in self.events if e.type == "handover_requested"}
        return [
            (e.properties["rating"], "handover" if e.conversation in handed else "completed")
            for e in self.events
            if e.type == "feedback"
        ]

    def csat(self, outcome: str | None = None) -> float:
        # Stars: ratings from 2 to 5 were given, so 4 and 5 are positive (and -1 negative).
        mine = [r for r, o in self.ratings() if outcome in (None, o)]
        return sum(r >= 4 for r in mine) / len(mine)

    def peak(self) -> tuple[int, datetime]:
        """The most sessions present at one moment, and the first such moment."""
        spans: dict[str, list[datetime]] = defaultdict(list)
        for e in self.events:
            spans[e.session].append(e.at)
        marks = sorted((t, d) for s in spans.values() for t, d in ((min(s), 0), (max(s), 1)))
        best, at, present = 0, marks[0][0], 0
        for t, is_end in marks:  # starts before ends at the same moment
            present += -1 if is_end else 1
            if present > best:
                best, at = present, t
        return best, at

    def monday_nine(self) -> int:
        """Sessions started on a Monday between 09:00 and 10:00."""
        return sum(
            e.type == "session_start" and e.at.weekday() == 0 and e.at.hour == 9
            for e in self.events
        )

    def weekly_slope(self) -> float:
        """The least-squares slope of the sessions started per week."""
        weeks = Counter(
            (e.at - self.scenario.monday).days // 7
            for e in self.events
            if e.type == "session_start"
        )
        ys = [weeks[w] for w in range(3)]
        mean = sum(ys) / 3
        return sum((x - 1) * (y - mean) for x, y in enumerate(ys)) / 2

    def abandonment(self) -> dict[str, tuple[int, int]]:
        """(abandoned, replies) by latency class: a reply is abandoned when its session's widget is
        closed within 60 s after it, with no question of the session in between."""
        found: dict[str, list[int]] = {c: [0, 0] for c in ("<1s", "1-3s", "3-10s", ">=10s")}
        for reply in (e for e in self.events if e.type == "bot_response"):
            latency = reply.properties["latency_ms"]
            bounds = ((1000, "<1s"), (3000, "1-3s"), (10000, "3-10s"), (float("inf"), ">=10s"))
            latency_class = next(name for top, name in bounds if latency < top)
            same = [e for e in self.events if e.session == reply.session]
            closes = [
                e.at
                for e in same
                if e.type == "widget_close" and reply.at <= e.at <= reply.at + timedelta(seconds=60)
            ]
            left = any(
                not any(e.type == "user_message" and reply.at < e.at < close for e in same)
                for close in closes
            )
            found[latency_class][0] += left
            found[latency_class][1] += 1
        return {name: (left, replies) for name, (left, replies) in found.items()}

    def count(self, type_: str) -> int:
        return sum(e.type == type_ for e in self.events)

    def roi(
        self,
        *,
        cost_per_conversation: float = COST_PER_CONVERSATION,
        cost_per_month: float | None = None,
        lead_value: float = LEAD_VALUE,
        currency: str = "EUR",
    ) -> dict[str, float]:
        """Cost, cost per lead and ROI: a monthly cost counts each calendar month by the share of it
        inside the range; conversions count their own value when in `currency`."""
        if cost_per_month is not None:
            cost = cost_per_month * self.months()
        else:
            cost = cost_per_conversation * self.count("conversation_start")
        leads = self.count("lead_submitted")
        value = leads * lead_value + sum(
            e.properties["value"]
            for e in self.events
            if e.type == "conversion" and e.properties["currency"] == currency
        )
        return {"cost": cost, "cost_per_lead": cost / leads, "roi": (value - cost) / cost}

    def months(self) -> float:
        """The calendar months of the range, each by the share of its days inside it."""
        days = [(self.scenario.monday + timedelta(days=n)).date() for n in range(21)]
        per_month = Counter((d.year, d.month) for d in days)
        return sum(n / calendar.monthrange(y, m)[1] for (y, m), n in per_month.items())

    def slowest(self, by: str) -> list[str]:
        """The conversations of the bot replies, by their mean (`avg`) or slowest (`max`) reply,
        largest first, ties by id."""
        latencies: dict[str, list[float]] = defaultdict(list)
        for e in self.events:
            if e.type == "bot_response" and e.conversation:
                latencies[e.conversation].append(e.properties["latency_ms"])
        rank = statistics.mean if by == "avg" else max
        return sorted(latencies, key=lambda c: (-rank(latencies[c]), c))[:10]

    def system(self) -> dict[int, dict[str, float | int | None]]:
        """Per day of the range that has samples (0 is the first Monday): how many, the means of
        the figures the samples carry (None when none does), and the most connections."""
        days: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for e in self.scenario.samples:
            days[(e.at - self.scenario.monday).days].append(e.properties)
        found: dict[int, dict[str, float | int | None]] = {}
        for day, mine in days.items():
            row: dict[str, float | int | None] = {"samples": len(mine)}
            for key in ("cpu_percent", "memory_mb", "response_time_ms"):
                values = [p[key] for p in mine if key in p]
                row[key] = statistics.mean(values) if values else None
            row["active_connections"] = max(p["active_connections"] for p in mine)
            found[day] = row
        return found

    def outside_hours(self, start: int, end: int, days: set[int], tz: str) -> int:
        """Handover requests whose local time in `tz` is not on one of `days` (1 Monday) or not
        from `start` o'clock to before `end`."""
        local = [
            e.at.astimezone(ZoneInfo(tz)) for e in self.events if e.type == "handover_requested"
        ]
        return sum(at.isoweekday() not in days or not start <= at.hour < end for at in local)

    def errors(self) -> Counter[str]:
        return Counter(e.properties["kind"] for e in self.events if e.type == "error")

    def handover_reasons(self) -> Counter[str]:
        return Counter(
            issue
            for e in self.events
            if e.type == "handover_requested"
            for issue in e.properties["issues"]
        )

    def fallback_questions(self) -> int:
        """Fallback replies after the tractor question, however it was written."""
        return sum(e.type == "bot_response" and e.properties["fallback"] for e in self.events)

    def flagged(self) -> list[str]:
        """Visitors with 3 or more product interest events, or 2 or more for one product. (No visitor
        here reaches an engagement score of 40: at most 2 sessions, 1 question, 1 lead, 1 rating.)"""
        per: Counter[tuple[str, str]] = Counter(
            (e.user, e.properties["product_id"])
            for e in self.events
            if e.type == "product_interest"
        )
        counts: dict[str, list[int]] = defaultdict(list)
        for (user, _), n in per.items():
            counts[user].append(n)
        return sorted(u for u, ns in counts.items() if sum(ns) >= 3 or max(ns) >= 2)
