"""Read a visitor's message into a `Query`: the sizes, cars, seasons, tyres and wishes it mentions.

Plain keyword and pattern matching against the catalogue, so that every answer can be traced to a
rule and a test; a real shop would put a language model here and keep the same `Reply` contract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatlytics.demo.catalogue import Catalogue, Category

# 205/55 R16, 205/55R16, 205 55 16, 205/55/16, 205/55 ZR16
SIZE = re.compile(r"\b(\d{3})\s*[/ ]\s*(\d{2})\s*(?:z?r|/|\s)\s*(\d{2})\b")
PRICE_CAP = re.compile(
    r"\b(?:under|below|less than|cheaper than|max(?:imum)?|up to|at most)\s*(?:€|eur\s*)?(\d{2,4})"
)
SEASON_WORDS: dict[Category, tuple[str, ...]] = {
    "all-season": (
        "all season",
        "all-season",
        "all seasons",
        "all weather",
        "all-weather",
        "year round",
        "year-round",
        "whole year",
        "4 season",
    ),
    "winter": ("winter", "snow", "ice", "icy", "frost", "cold", "slush", "alpine"),
    "summer": ("summer", "hot", "heat", "dry road"),
}
PRICE_WORDS = ("price", "prices", "cost", "costs", "how much", "eur", "euro", "euros", "expensive")
CHEAP_WORDS = ("cheap", "cheapest", "budget", "lowest price", "least expensive", "affordable")
COMPARE_WORDS = ("compare", "comparison", "vs", "versus", "difference", "better than", "or the")
ADVICE_WORDS = (
    "should",
    "need",
    "recommend",
    "advice",
    "advise",
    "best",
    "which",
    "when",
    "worth",
    "suggest",
    "good for",
)
HUMAN_WORDS = ("human", "person", "agent", "executive", "someone", "real people", "call me")
GREETINGS = ("hi", "hello", "hey", "good morning", "good afternoon", "good evening")
THANKS = ("thanks", "thank you", "cheers", "bye", "goodbye")


@dataclass(frozen=True)
class Query:
    """What a message asks about; empty tuples and False for what it does not mention."""

    text: str
    sizes: tuple[str, ...] = ()
    vehicles: tuple[str, ...] = ()
    seasons: tuple[Category, ...] = ()
    tyres: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    price_cap: float | None = None
    asks_price: bool = False
    wants_cheapest: bool = False
    wants_comparison: bool = False
    wants_advice: bool = False
    wants_human: bool = False
    greeting: bool = False
    thanks: bool = False
    faq: str | None = None

    @property
    def filters(self) -> bool:
        """It narrows the catalogue down (size, car, season, brand or price)."""
        return bool(
            self.sizes or self.vehicles or self.seasons or self.brands or self.price_cap is not None
        )


def normalise(text: str) -> str:
    """Lower case, single spaces, punctuation other than `/ . € -` turned into spaces."""
    text = re.sub(r"[^\w/.€\- ]+", " ", text.lower())
    return re.sub(r"\s+", " ", text).strip()


def _find(text: str, phrase: str) -> int | None:
    """Where `phrase` occurs in `text` as whole words: "ice" is not in "price", nor "hi" in "which"."""
    found = re.search(rf"(?<!\w){re.escape(normalise(phrase))}(?!\w)", text)
    return None if found is None else found.start()


def _has(text: str, phrases: tuple[str, ...]) -> bool:
    return any(_find(text, phrase) is not None for phrase in phrases)


def _first_positions(text: str, names: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The names whose phrases occur in `text`, in the order they first occur."""
    found: list[tuple[int, str]] = []
    for name, phrases in names.items():
        spots = [spot for phrase in phrases if (spot := _find(text, phrase)) is not None]
        if spots:
            found.append((min(spots), name))
    return tuple(name for _, name in sorted(found))


def parse(message: str, catalogue: Catalogue) -> Query:
    """Everything `message` mentions that the catalogue can answer."""
    text = normalise(message)
    sizes = tuple(dict.fromkeys(f"{w}/{r} R{d}" for w, r, d in SIZE.findall(text)))
    vehicles = _first_positions(
        text, {name: (name.lower(), *v.aliases) for name, v in catalogue.vehicles.items()}
    )
    tyres = _first_positions(text, {t.id: (t.name.lower(), *t.aliases) for t in catalogue.tyres})
    named = {t.brand for t in catalogue.tyres if t.id in tyres}
    brands = tuple(
        brand
        for brand in dict.fromkeys(t.brand for t in catalogue.tyres)
        if brand not in named and _has(text, (brand.lower(),))
    )
    seasons = tuple(season for season, words in SEASON_WORDS.items() if _has(text, words))
    cap = PRICE_CAP.search(text)
    faq = next((f.topic for f in catalogue.faq if _has(text, f.keywords)), None)
    return Query(
        text=text,
        sizes=sizes,
        vehicles=vehicles,
        seasons=seasons,
        tyres=tyres,
        brands=brands,
        price_cap=float(cap.group(1)) if cap else None,
        asks_price=_has(text, PRICE_WORDS) or "€" in text or cap is not None,
        wants_cheapest=_has(text, CHEAP_WORDS),
        wants_comparison=_has(text, COMPARE_WORDS),
        wants_advice=_has(text, ADVICE_WORDS),
        wants_human=_has(text, HUMAN_WORDS),
        greeting=_has(text, GREETINGS),
        thanks=_has(text, THANKS),
        faq=faq,
    )
