"""What simulated visitors do, decided up front from a seed: the same seed gives the same visitors.

A plan holds no ids and no times: those are made when it runs, so two runs of one seed behave the same
and still count as different visitors.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from chatlytics.demo.catalogue import Catalogue

REFERRERS = (
    None,
    None,
    "https://www.google.com/",
    "https://www.bing.com/",
    "https://forum.example.org/t/winter-tyres",
    "https://www.example.net/car-news",
)
USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1",
)
UNKNOWN = (
    "Do you sell bicycle tyres?",
    "Can I pay in instalments?",
    "Do you have rims?",
    "Is there a discount for students?",
    "Can you repair a puncture?",
    "Where is my order?",
    "Are the tyres run-flat?",
)
FIRST_NAMES = ("Alex", "Sam", "Jordan", "Robin", "Maria", "Chen", "Priya", "Lukas", "Amara", "Noor")
ISSUES = ("Product availability", "Pricing", "Fitment", "Order status", "Other")
SUPPORT_OPTIONS = ("call_back", "email", "live_chat")
LEAD_TYPES = ("callback", "quote", "fitting_appointment")
TABS = ("specs", "label", "overview")
ADDRESS_RANGES = ("192.0.2", "198.51.100", "203.0.113")  # RFC 5737: never anyone's


@dataclass(frozen=True)
class Browse:
    """Load another product page (a full page load: a page_view with the previous page as referrer)."""

    path: str


@dataclass(frozen=True)
class Tab:
    """Switch the product tab (history.pushState: a navigation and a page_view)."""

    name: str


@dataclass(frozen=True)
class Open:
    """Open the chat widget (widget_open, and the chat WebSocket connects)."""


@dataclass(frozen=True)
class Ask:
    text: str


@dataclass(frozen=True)
class Interest:
    """Click a product card of the last reply: the one at `pick` (0 to 1) of the list, if any."""

    pick: float


@dataclass(frozen=True)
class Thumb:
    """Rate the last reply: 1 (thumbs up) or -1."""

    rating: int


@dataclass(frozen=True)
class Lead:
    lead_type: str
    name: str
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class Handover:
    issues: tuple[str, ...]
    support_option: str
    other_text: str | None


@dataclass(frozen=True)
class Close:
    """Close the widget (the chat server ends the conversation; widget_close)."""


Step = Browse | Tab | Open | Ask | Interest | Thumb | Lead | Handover | Close


@dataclass(frozen=True)
class VisitorPlan:
    """One visitor: where they land, what they do, and how their visit spreads over time."""

    number: int
    landing: str
    referrer: str | None
    user_agent: str
    steps: tuple[Step, ...]
    pauses: tuple[float, ...]  # relative weight of the pause before each step, then before leaving
    arrival: float  # 0..1: where in the simulated window the visitor arrives
    length_s: float  # how long the visit would like to last, in seconds of wall time
    address: str  # the visitor's IP address, from the ranges reserved for documentation


def questions(shop: Catalogue) -> tuple[str, ...]:
    """Questions about the catalogue (off-topic ones, which get a fallback, are in UNKNOWN)."""
    sizes = sorted({size for tyre in shop.tyres for size in tyre.sizes})
    cars = sorted(shop.vehicles)
    names = [tyre.name for tyre in shop.tyres]
    asked = [
        *(f"Do you have {size} tyres?" for size in sizes[:6]),
        *(f"What fits my {car}?" for car in cars),
        *(f"Which winter tyres fit my {car}?" for car in cars[:5]),
        *(f"How much is the {name}?" for name in names[:8]),
        f"Compare the {names[0]} and the {names[1]}",
        f"{names[5]} vs {names[7]}",
        f"cheapest tyres in {sizes[3]}",
        "Should I buy winter tyres?",
        "all season tyres under 100",
        "Do you do fitting?",
        "How long does delivery take?",
    ]
    return tuple(asked)


def plan_visitors(count: int, seed: int, shop: Catalogue) -> list[VisitorPlan]:
    """`count` visitors drawn from `seed`; a pure function of its arguments."""
    rng = random.Random(seed)
    bank = questions(shop)
    pages = ("/", *(f"/tyres/{tyre.id}" for tyre in shop.tyres))
    return [_visitor(n, rng, bank, pages) for n in range(count)]


@dataclass(frozen=True)
class Persona:
    """The big decisions of a visit; the seed decides the rest (pages, questions, pauses, details)."""

    chats: bool = True
    off_topic: bool = False  # asks something the catalogue cannot answer (a fallback)
    lead: bool = False
    handover: bool = False
    closes: bool = True  # closes the widget; otherwise leaves with it open


# Visitors take these in turn, so that even five of them show every feature of the demo.
PERSONAS = (
    Persona(lead=True, handover=True),
    Persona(chats=False),
    Persona(off_topic=True, closes=False),
    Persona(lead=True),
    Persona(handover=True, off_topic=True),
    Persona(),
    Persona(lead=True),
    Persona(chats=False),
    Persona(off_topic=True),
    Persona(closes=False),
)


def _visitor(
    n: int, rng: random.Random, bank: tuple[str, ...], pages: tuple[str, ...]
) -> VisitorPlan:
    persona = PERSONAS[n % len(PERSONAS)]
    steps: list[Step] = []
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
        steps.append(Tab(rng.choice(TABS)) if rng.random() < 0.5 else Browse(rng.choice(pages)))
    if persona.chats:
        steps.append(Open())
        if rng.random() < 0.25:
            steps.append(Ask("Hi!"))
        asked = [rng.choice(bank) for _ in range(rng.randint(1, 3))]
        if persona.off_topic:
            asked.insert(rng.randrange(len(asked) + 1), rng.choice(UNKNOWN))
        for question in asked:
            steps.append(Ask(question))
            if rng.random() < 0.35:
                steps.append(Interest(round(rng.random(), 3)))
            if rng.random() < 0.3:
                steps.append(Thumb(rng.choice((1, 1, 1, -1))))
        if persona.lead:
            steps.append(_lead(n, rng))
        if persona.handover:
            issues = tuple(sorted(set(rng.sample(ISSUES, rng.randint(1, 2))), key=ISSUES.index))
            other = "Need them before the weekend" if "Other" in issues else None
            steps.append(Handover(issues, rng.choice(SUPPORT_OPTIONS), other))
        if persona.closes:
            steps.append(Close())
    return VisitorPlan(
        number=n,
        landing=rng.choice(pages),
        referrer=rng.choice(REFERRERS),
        user_agent=rng.choice(USER_AGENTS),
        steps=tuple(steps),
        pauses=tuple(round(rng.uniform(0.5, 3.0), 3) for _ in range(len(steps) + 1)),
        arrival=round(rng.random(), 4),
        length_s=round(rng.uniform(20, 240), 1),
        address=f"{rng.choice(ADDRESS_RANGES)}.{rng.randint(1, 254)}",
    )


def _lead(n: int, rng: random.Random) -> Lead:
    first = rng.choice(FIRST_NAMES)
    kind = rng.choice(LEAD_TYPES)
    email = f"{first.lower()}.{n}@example.com" if kind != "callback" or rng.random() < 0.5 else None
    # Ofcom's range for drama: numbers that are never anyone's.
    phone = f"+44 20 7946 0{n % 1000:03d}" if kind == "callback" else None
    return Lead(kind, f"{first} Example", email, phone)
