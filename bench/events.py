"""Realistic chat traffic, seeded: whole sessions of widget and chat-server events in wire format.

Sessions start at evenly advancing times over the span, so a stream of them is nearly in time order and
can be cut into chunks without holding a million events in memory.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

Event = dict[str, Any]

PAGES = [
    ("https://shop.example.com/", "Home"),
    ("https://shop.example.com/pricing", "Pricing"),
    ("https://shop.example.com/products/trail-runner-3", "Trail Runner 3"),
    ("https://shop.example.com/products/city-backpack", "City Backpack"),
    ("https://shop.example.com/products/rain-shell", "Rain Shell Jacket"),
    ("https://shop.example.com/help/shipping", "Shipping & returns"),
    ("https://shop.example.com/blog/choosing-running-shoes", "Choosing running shoes"),
    ("https://shop.example.com/contact", "Contact us"),
]
REFERRERS = [None, "https://www.google.com/", "https://www.bing.com/", "https://t.co/x1"]
# Questions as visitors type them: most name a product, a size, a colour, an order number or a
# place, so nearly every text is new; a minority are the frequent ones, sent with varied case,
# punctuation and spacing. Some frequent ones the bot cannot answer well (HARD), so fallbacks follow
# them more often than the rest.
FREQUENT = [
    "Do you ship to Canada?",
    "How long does delivery take?",
    "Can I return an item I bought on sale?",
    "Can I change my delivery address?",
    "Are there any discounts for students?",
    "Where is my order?",
    "Do you have a store near me?",
    "Can I pay with PayPal?",
    "thanks!",
    "hello",
]
HARD = {"Do you have a store near me?", "Where is my order?"}
SHARE_FREQUENT = 0.3
PHRASINGS = [
    "Is the {product} available in size {size}? I need {count} pairs",
    "Do you have the {product} in {colour}, size {size}? Order {number}",
    "My order {number} with the {product} hasn't arrived yet",
    "Can I return the {product} from order {number}?",
    "How much is shipping for the {product} to {city} {postcode}?",
    "does the {product} in {colour} come in size {size} for under {price} dollars",
    "I ordered the {product} in {colour} ({number}) but got the wrong size",
    "Will the {product} in size {size} be back in stock before {month} {day}?",
    "what's the difference between the {product} and the {other}? budget {price}",
    "Can I pick up the {product} in {city}? Order {number}",
    "hi, is there a discount on the {product} if I buy {count}? my cart is {price} EUR",
    "The {product} I got on {month} {day} is damaged, order no. {number}",
]
ITEMS = [
    "Trail Runner 3",
    "Trail Runner 2",
    "City Backpack",
    "Daypack 15",
    "Rain Shell Jacket",
    "Merino Socks",
    "Down Vest",
    "Hiking Boot Pro",
    "Fleece Pullover",
    "Running Cap",
    "Sling Bag",
    "Softshell Pants",
]
COLOURS = ["black", "olive", "navy", "red", "grey", "sand", "white", "teal"]
SIZES = ["XS", "S", "M", "L", "XL", "38", "39", "40", "41", "42", "43", "44", "45", "9.5", "10"]
CITIES = ["Toronto", "Berlin", "Austin", "Lyon", "Osaka", "Leeds", "Denver", "Milan", "Porto"]
MONTHS = ["January", "March", "May", "July", "September", "November"]
ENDINGS_OF_FREQUENT = ["", "", "?", "??", "!", "...", "…", " ?", "?!"]
ANSWERS = [
    "Yes, we ship to Canada; delivery usually takes 5 to 7 business days.",
    "Standard delivery takes 2 to 4 business days, express arrives the next day.",
    "The Trail Runner 3 runs slightly small, most customers order half a size up.",
    "Sale items can be returned within 30 days as long as they are unworn.",
    "The City Backpack holds 22 litres and has a laptop sleeve; the Daypack holds 15.",
    "I'm sorry about the delay. Let me look up order 48213 for you.",
    "The rain shell is in stock in medium in black and olive.",
    "You can change the address until the order ships, from your account page.",
    "Students get 10% off with a verified student email.",
    "You're welcome! Anything else I can help with?",
]
FALLBACK = "I'm not sure I understood that. Could you rephrase, or shall I connect you to a person?"
PRODUCTS = [
    ("Trail Runner 3", "shoes"),
    ("City Backpack", "bags"),
    ("Rain Shell Jacket", "jackets"),
    ("Merino Socks", "accessories"),
    ("Daypack 15", "bags"),
]
MODELS = ["gpt-4o-mini", "gpt-4o", "claude-3-5-haiku"]
ISSUES = ["order status", "refund", "damaged item", "billing", "account access", "other"]
CLIENTS = [
    {"browser": "Chrome 131", "os": "Windows 11", "device": "desktop", "screen": "1920x1080"},
    {"browser": "Safari 18", "os": "iOS 18", "device": "mobile", "screen": "390x844"},
    {"browser": "Firefox 133", "os": "Ubuntu", "device": "desktop", "screen": "2560x1440"},
    {"browser": "Chrome 131", "os": "Android 15", "device": "mobile", "screen": "412x915"},
    {"browser": "Edge 131", "os": "Windows 10", "device": "desktop", "screen": "1366x768"},
]
PLACES = [
    ("Berlin", "Berlin", "DE", 52.52, 13.405),
    ("Toronto", "Ontario", "CA", 43.65, -79.38),
    ("Austin", "Texas", "US", 30.27, -97.74),
    ("Lyon", "Auvergne-Rhône-Alpes", "FR", 45.76, 4.84),
    ("Osaka", "Osaka", "JP", 34.69, 135.50),
    ("Leeds", "England", "GB", 53.80, -1.55),
]


def rfc3339(moment: datetime) -> str:
    """`2026-11-26T10:00:05.120Z`: fixed width, so these strings sort in time order."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class _Session:
    """One visit being written: a moving clock and the events so far."""

    def __init__(self, rng: random.Random, user_id: str, session_id: str, at: datetime) -> None:
        self.rng = rng
        self.user_id = user_id
        self.session_id = session_id
        self.clock = at
        self.page_url: str | None = None
        self.conversation: str | None = None
        self.events: list[Event] = []

    def wait(self, low: float, high: float) -> None:
        self.clock += timedelta(seconds=self.rng.uniform(low, high))

    def add(self, type_: str, source: str, **properties: Any) -> None:
        event: Event = {
            "event_id": uuid.UUID(int=self.rng.getrandbits(128), version=4).hex,
            "type": type_,
            "timestamp": rfc3339(self.clock),
            "source": source,
            "user_id": self.user_id,
            "session_id": self.session_id,
            "properties": properties,
        }
        if self.conversation is not None:
            event["conversation_id"] = self.conversation
        if self.page_url is not None and source == "widget":
            event["page_url"] = self.page_url
        self.events.append(event)


class ChatTraffic:
    """Makes sessions; a fraction of users come back, so users have several sessions."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.users: list[str] = []

    def _id(self, prefix: str) -> str:
        return f"{prefix}_{self.rng.getrandbits(64):016x}"

    def _user(self) -> str:
        if self.users and self.rng.random() < 0.3:
            return self.rng.choice(self.users)
        user = self._id("u")
        self.users.append(user)
        return user

    def _question(self) -> tuple[str, bool]:
        """A question as typed, and whether it is one the bot often fails on."""
        rng = self.rng
        if rng.random() < SHARE_FREQUENT:
            base = rng.choice(FREQUENT)
            text = rng.choice([base, base, base.lower(), base.upper(), base.capitalize()])
            text = text.rstrip("?!.") + rng.choice(ENDINGS_OF_FREQUENT)
            if rng.random() < 0.1:
                text = "  " + text.replace(" ", "  ", 1) + " "
            return text, base in HARD
        product, other = rng.sample(ITEMS, 2)
        text = rng.choice(PHRASINGS).format(
            product=product,
            other=other,
            colour=rng.choice(COLOURS),
            size=rng.choice(SIZES),
            city=rng.choice(CITIES),
            month=rng.choice(MONTHS),
            number=rng.randint(10000, 99999),
            count=rng.randint(2, 5),
            postcode=rng.randint(1000, 9999),
            price=rng.randint(20, 400),
            day=rng.randint(1, 28),
        )
        return text, False

    def session(self, at: datetime) -> list[Event]:
        """One visit: arrive, browse, maybe chat (with its extras), leave."""
        rng = self.rng
        s = _Session(rng, self._user(), self._id("s"), at)
        place = rng.choice(PLACES)
        client = {
            **rng.choice(CLIENTS),
            "language": rng.choice(["en-US", "en-GB", "de-DE"]),
            "user_agent": "Mozilla/5.0 (bench)",
        }
        s.add(
            "session_start",
            "backend",
            client_info=client,
            location={
                "city": place[0],
                "region": place[1],
                "country": place[2],
                "latitude": place[3],
                "longitude": place[4],
            },
        )
        for _ in range(rng.randint(1, 3)):
            s.wait(0.2, 40)
            s.page_url, title = rng.choice(PAGES)
            s.add("page_view", "widget", title=title, referrer=rng.choice(REFERRERS))
        if rng.random() < 0.85:
            self._chat(s)
        s.wait(1, 30)
        s.add("session_end", "backend", status="completed" if rng.random() < 0.97 else "error")
        return s.events

    def _chat(self, s: _Session) -> None:
        rng = self.rng
        opened = s.clock
        s.wait(1, 20)
        s.add("widget_open", "widget")
        s.conversation = self._id("c")
        s.add("conversation_start", "backend")
        last_user = last_bot = ""
        for turn in range(rng.randint(1, 8)):
            s.wait(3, 45)
            last_user, hard = self._question()
            s.add("user_message", "backend", message_id=self._id("m"), content=last_user)
            latency = rng.lognormvariate(7.0, 0.5)  # ~1.1 s median, a long tail
            s.clock += timedelta(milliseconds=latency)
            fallback = rng.random() < (0.35 if hard else 0.06)
            last_bot = FALLBACK if fallback else rng.choice(ANSWERS)
            s.add(
                "bot_response",
                "backend",
                message_id=self._id("m"),
                content=last_bot,
                latency_ms=round(latency, 1),
                fallback=fallback,
                model=rng.choice(MODELS),
                tokens_in=rng.randint(200, 2000) + 150 * turn,
                tokens_out=rng.randint(20, 300),
                cost=round(rng.uniform(0.0001, 0.004), 6),
            )
            if turn == 0 and rng.random() < 0.3:
                name, category = rng.choice(PRODUCTS)
                s.add(
                    "product_interest",
                    "widget",
                    product_name=name,
                    category=category,
                    product_id=name.lower().replace(" ", "-"),
                )
        handover = rng.random() < 0.07
        if rng.random() < 0.1:
            s.wait(5, 60)
            s.add(
                "lead_submitted",
                "widget",
                lead_type=rng.choice(["newsletter", "callback"]),
                lead_id=self._id("l"),
                name="Alex Example",
                email="alex@example.com",
                phone="+1 555 0100",
            )
        if handover:
            s.wait(2, 20)
            s.add(
                "handover_requested",
                "widget",
                issues=rng.sample(ISSUES, rng.randint(1, 2)),
                support_option=rng.choice(["email", "phone", "live_chat"]),
                last_message=last_user,
            )
        if rng.random() < 0.25:
            s.wait(2, 15)
            s.add("feedback", "widget", rating=rng.choice([-1, 1, 2, 3, 4, 5, 5, 4]))
        s.wait(2, 30)
        s.add(
            "widget_close",
            "widget",
            time_spent_seconds=round((s.clock - opened).total_seconds(), 3),
            last_user_message=last_user,
            last_bot_message=last_bot,
        )
        s.add("conversation_end", "backend", status="handover" if handover else "completed")
        s.conversation = None


def stream(
    total: int, *, seed: int, start: datetime, end: datetime, chunk: int = 5000
) -> Iterator[list[Event]]:
    """`total` events spread over [start, end), in time-sorted chunks of at least `chunk` events."""
    traffic = ChatTraffic(seed)
    span = end - start
    made = 0
    pending: list[Event] = []
    while made < total:
        at = start + span * (made / total) + timedelta(seconds=traffic.rng.uniform(0, 60))
        events = traffic.session(at)[: total - made]
        made += len(events)
        pending.extend(events)
        if len(pending) >= chunk or made == total:
            pending.sort(key=lambda e: e["timestamp"])
            yield pending
            pending = []


def generate(total: int, *, seed: int, days: float, now: datetime) -> list[Event]:
    """`total` events over the `days` before `now` (minus a margin), in time order."""
    end = now - timedelta(minutes=30)
    events = [
        e
        for part in stream(total, seed=seed, start=end - timedelta(days=days), end=end)
        for e in part
    ]
    events.sort(key=lambda e: e["timestamp"])
    return events


def batches(events: list[Event], size: int) -> list[list[Event]]:
    return [events[i : i + size] for i in range(0, len(events), size)]


def bodies(events: list[Event], *, size: int, sent_at: datetime) -> list[bytes]:
    """Request bodies of `size` events each, serialized ahead of the clock."""
    stamp = rfc3339(sent_at)
    return [orjson.dumps({"sent_at": stamp, "events": batch}) for batch in batches(events, size)]
