"""Five plausible weeks of a tyre shop's chatbot, for the dashboard's screenshot (and a look by hand).

`tyre_shop_events(now)` gives the wire events of: five weeks of whole UTC days up to yesterday, traffic
growing from week to week, quieter at weekends, busiest in the morning and the evening, with visitors
coming back; a few sessions earlier today; and a handful still going on now. Visitors look at tyres
(products with ids and categories), ask, leave leads, book and pay for fittings (conversions worth
their price in GBP), rate the bot, and sometimes meet an error. Seeded: the same `now` gives the same
events.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

SHOP = "https://tyrehub.example"
# Relative traffic per UTC hour: a morning peak before work, lunch, and the evening.
HOURLY = (1, 0, 0, 0, 0, 1, 3, 6, 9, 8, 7, 6, 7, 6, 5, 5, 6, 8, 9, 8, 6, 4, 2, 1)
PAGES = (
    "/",
    "/tyres/winter",
    "/tyres/all-season",
    "/tyres/summer",
    "/fitting/book",
    "/offers",
    "/tyres/205-55-r16",
)
CITIES = (
    {"city": "Leeds", "country": "GB"},
    {"city": "Manchester", "country": "GB"},
    {"city": "Bristol", "country": "GB"},
    {"city": "Glasgow", "country": "GB"},
    {"city": "London", "country": "GB"},
    {"city": "Birmingham", "country": "GB"},
)
# (question, answer, the bot could not help)
TURNS = (
    (
        "Do you have 205/55 R16 winter tyres in stock?",
        "Yes: 14 in stock at Leeds, 6 at Bristol.",
        False,
    ),
    (
        "How much is fitting for four tyres?",
        "Fitting is £15 a tyre, balancing and valves included.",
        False,
    ),
    (
        "Can I book a fitting on Saturday morning?",
        "Saturday 9:00 and 10:30 are free. Shall I book one?",
        False,
    ),
    (
        "What's the difference between CrossClimate 2 and AllSeasonContact?",
        "Both are all-season; the CrossClimate 2 brakes a little shorter on snow.",
        False,
    ),
    ("Do you fit run-flat tyres?", "Yes, at every branch, for £5 more per tyre.", False),
    ("Is there a discount for four tyres?", "This week: buy four Michelin, get £40 off.", False),
    ("Where is my order TH-48213?", "It was dispatched today and arrives tomorrow.", False),
    ("Can you fit tyres I bought elsewhere?", "Yes, £20 a tyre.", False),
    (
        "My tyre pressure light is on, is it safe to drive?",
        "Sorry, I can't judge that. Shall I connect you to a technician?",
        True,
    ),
    ("do u do tractors", "Sorry, I didn't understand. Could you rephrase?", True),
    ("How long does a fitting take?", "About 45 minutes for four tyres.", False),
    ("Which tyres fit a 2019 Golf?", "205/55 R16 or 225/45 R17, depending on the trim.", False),
)
LEADS = ("fitting_booking", "fitting_booking", "quote_request", "callback", "fleet_enquiry")
NAMES = ("Sam Patel", "Olivia Brown", "Jamie Clarke", "Priya Shah", "Tom Walsh", "Ellie Moore")
HANDOVERS = (
    (["order_status"], "live_chat"),
    (["fitting_appointment"], "phone"),
    (["warranty", "damage"], "email"),
    (["order_status", "delivery"], "live_chat"),
    (["returns"], "email"),
    (["payment"], "phone"),
)
# (name, id, category); the first are asked about most.
PRODUCTS = (
    ("Michelin CrossClimate 2", "mi-cc2", "all-season"),
    ("Continental WinterContact TS 870", "co-ts870", "winter"),
    ("Bridgestone Blizzak LM005", "bs-lm005", "winter"),
    ("Pirelli Cinturato P7", "pi-p7", "summer"),
    ("Goodyear Vector 4Seasons Gen-3", "gy-v4s3", "all-season"),
    ("Michelin Pilot Sport 5", "mi-ps5", "summer"),
)
PRODUCT_WEIGHTS = (9, 7, 5, 4, 3, 2)
ERRORS = (
    ("inventory_api", "stock lookup timed out"),
    ("inventory_api", "stock lookup timed out"),
    ("model_timeout", "the model did not answer within 10 s"),
    ("booking_api", "no free fitting slot could be read"),
)
RATINGS = (5, 5, 5, 4, 4, 4, 3, 2, -1)
WEEKS = 5
# Relative traffic per weekday, Monday first.
WEEKDAY = (1.0, 0.95, 0.95, 1.0, 1.1, 0.8, 0.55)


@dataclass
class _Session:
    user: str
    session: str
    start: datetime
    t: float = 0.0
    events: list[dict[str, Any]] = field(default_factory=list)

    def add(self, gap: float, type_: str, source: str, **fields: Any) -> None:
        self.t += gap
        at = self.start + timedelta(seconds=round(self.t, 3))
        body: dict[str, Any] = {
            "event_id": f"{self.session}-{len(self.events):02d}",
            "type": type_,
            "source": source,
            "timestamp": at.isoformat().replace("+00:00", "Z"),
            "user_id": self.user,
            "session_id": self.session,
            "properties": fields.pop("properties", {}),
        }
        body.update(fields)
        self.events.append(body)


class _Day:
    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.serial = itertools.count(1)
        self.visitors: list[str] = []

    def visitor(self) -> str:
        if self.visitors and self.rng.random() < 0.25:
            return self.rng.choice(self.visitors)  # a returning visitor
        user = f"visitor-{self.rng.randrange(16**6):06x}"
        self.visitors.append(user)
        return user

    def session(self, start: datetime, *, still_going: bool = False) -> list[dict[str, Any]]:
        rng = self.rng
        s = _Session(self.visitor(), f"s-{start:%m%d}-{next(self.serial):03d}", start)
        page = SHOP + rng.choice(PAGES)
        s.add(0, "session_start", "backend", properties={"location": rng.choice(CITIES)})
        s.add(
            rng.uniform(1, 4), "page_view", "widget", page_url=page, properties={"title": "TyreHub"}
        )
        if rng.random() < 0.35:
            name, product_id, category = rng.choices(PRODUCTS, PRODUCT_WEIGHTS)[0]
            for _ in range(rng.choice((1, 1, 1, 1, 1, 2, 2, 3))):
                s.add(
                    rng.uniform(5, 40),
                    "product_interest",
                    "widget",
                    page_url=page,
                    properties={
                        "product_name": name,
                        "product_id": product_id,
                        "category": category,
                    },
                )
        opened = still_going or rng.random() < 0.8  # the others only look at the page
        if opened:
            s.add(rng.uniform(3, 60), "widget_open", "widget", page_url=page)
        handed_over = False
        if opened and rng.random() < 0.78:
            cid = f"c-{s.session[2:]}"
            s.add(rng.uniform(2, 8), "conversation_start", "backend", conversation_id=cid)
            for turn in rng.sample(TURNS, rng.choice((1, 1, 2, 2, 3, 4))):
                question, answer, fallback = turn
                s.add(
                    rng.uniform(6, 50),
                    "user_message",
                    "backend",
                    conversation_id=cid,
                    properties={"content": question},
                )
                latency = min(9000.0, rng.lognormvariate(6.75, 0.5))
                s.add(
                    latency / 1000,
                    "bot_response",
                    "backend",
                    conversation_id=cid,
                    properties={
                        "content": answer,
                        "latency_ms": round(latency, 1),
                        "fallback": fallback,
                        "model": "tyre-bot-2",
                    },
                )
                if rng.random() < 0.03:
                    kind, message = rng.choice(ERRORS)
                    s.add(
                        0.5,
                        "error",
                        "backend",
                        conversation_id=cid,
                        properties={"kind": kind, "message": message},
                    )
            if rng.random() < 0.25:
                s.add(
                    rng.uniform(10, 60),
                    "lead_submitted",
                    "widget",
                    conversation_id=cid,
                    page_url=page,
                    properties={
                        "lead_type": rng.choice(LEADS),
                        "name": rng.choice(NAMES),
                        "email": "customer@example.com",
                    },
                )
                if rng.random() < 0.35:
                    s.add(
                        rng.uniform(60, 600),
                        "conversion",
                        "widget",
                        page_url=SHOP + "/fitting/book",
                        properties={
                            "goal": "fitting_paid",
                            "value": float(rng.choice((236, 318, 392, 460))),
                            "currency": "GBP",
                        },
                    )
            if rng.random() < 0.12:
                issues, option = rng.choice(HANDOVERS)
                handed_over = True
                s.add(
                    rng.uniform(5, 30),
                    "handover_requested",
                    "widget",
                    conversation_id=cid,
                    properties={
                        "issues": issues,
                        "support_option": option,
                        "last_message": question,
                    },
                )
            if rng.random() < 0.3:
                s.add(
                    rng.uniform(3, 20),
                    "feedback",
                    "widget",
                    conversation_id=cid,
                    properties={"rating": rng.choice(RATINGS)},
                )
            if not still_going:
                status = "handover" if handed_over else "completed"
                s.add(
                    rng.uniform(5, 40),
                    "conversation_end",
                    "backend",
                    conversation_id=cid,
                    properties={"status": status},
                )
        if still_going:
            return _ending_before(s.events, self.now - timedelta(seconds=20))
        if opened:
            s.add(
                rng.uniform(5, 90),
                "widget_close",
                "widget",
                page_url=page,
                properties={"time_spent_seconds": round(s.t, 1)},
            )
        if rng.random() < 0.8:  # the others time out
            s.add(rng.uniform(5, 240), "session_end", "backend", properties={"status": "completed"})
        return s.events

    def spread(self, day: datetime, sessions: int, until: datetime) -> list[dict[str, Any]]:
        """`sessions` sessions started on `day` (a UTC midnight) before `until`, by HOURLY."""
        hours = [h for h in range(24) if day + timedelta(hours=h) < until]
        found: list[dict[str, Any]] = []
        if not hours:
            return found
        for hour in self.rng.choices(hours, weights=[HOURLY[h] for h in hours], k=sessions):
            start = day + timedelta(hours=hour, seconds=self.rng.uniform(0, 3599))
            if start < until:
                found += self.session(start)
        return found


def _ending_before(events: list[dict[str, Any]], end: datetime) -> list[dict[str, Any]]:
    """The events moved earlier, if need be, so that the last one is at `end` at the latest."""
    last = datetime.fromisoformat(events[-1]["timestamp"])
    shift = min(timedelta(0), end - last)
    for e in events:
        moved = datetime.fromisoformat(e["timestamp"]) + shift
        e["timestamp"] = moved.isoformat().replace("+00:00", "Z")
    return events


def tyre_shop_events(now: datetime | None = None, seed: int = 2026) -> list[dict[str, Any]]:
    """The wire events, oldest session first."""
    now = now or datetime.now(UTC)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    day = _Day(random.Random(seed), now)
    quiet_until = now - timedelta(minutes=50)  # earlier today: well ended or timed out
    events: list[dict[str, Any]] = []
    days = WEEKS * 7
    for back in range(days, 0, -1):
        start = today - timedelta(days=back)
        grown = 16 + 26 * (days - back) / days  # sessions on an average weekday, growing
        sessions = round(grown * WEEKDAY[start.weekday()] * day.rng.uniform(0.85, 1.15))
        events += day.spread(start, sessions, today)
    events += day.spread(today, 6, quiet_until)
    for minutes in (9, 6, 4, 2):
        events += day.session(now - timedelta(minutes=minutes), still_going=True)
    return events
