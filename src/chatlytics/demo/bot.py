"""The tyre shop's bot: a pure function from a message to a `Reply`, answered from the catalogue.

Deterministic on purpose: the same message always gets the same reply, so tests and the simulator can
predict it. When no rule applies the bot says so (`fallback=True`) instead of guessing: that honest
fallback is what the fallback figures of the analytics are about.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from chatlytics.demo.catalogue import Catalogue, Category, Tyre, default_catalogue
from chatlytics.demo.query import Query, parse

MODEL = "tyre-rules-1"  # reported as the bot_response's `model`
MAX_PRODUCTS = 4
WINTER_BELOW_C = 7
FALLBACK = (
    "Sorry, I don't know that. I can help with tyre sizes (like 205/55 R16), which tyres fit your "
    "car, prices, comparisons and summer, winter or all-season advice. For anything else, please "
    "use 'Talk to an executive'."
)
SEASON_ADVICE: dict[Category, str] = {
    "winter": (
        f"Winter tyres grip better below about {WINTER_BELOW_C} °C, on snow, slush and cold wet "
        "roads; fit them from October to Easter if you drive in real winters."
    ),
    "summer": (
        f"Summer tyres brake shortest on warm dry and wet roads, above about {WINTER_BELOW_C} °C. "
        "Swap them for winter tyres when it gets cold."
    ),
    "all-season": (
        "All-season tyres with the snowflake symbol are a good single set for mild winters and "
        "mostly urban driving; in snowy regions a winter set is safer."
    ),
}


@dataclass(frozen=True)
class Reply:
    """What the bot says, the catalogue products it refers to, and whether it had to give up."""

    text: str
    products: tuple[Tyre, ...] = ()
    fallback: bool = False
    intent: str = "fallback"


def answer(message: str, catalogue: Catalogue | None = None) -> Reply:
    """The bot's reply to `message` (pure: no I/O, no randomness, no clock)."""
    shop = catalogue or default_catalogue()
    query = parse(message, shop)
    named = [t for t in shop.tyres if t.id in query.tyres]
    named.sort(key=lambda t: query.tyres.index(t.id))
    if query.wants_comparison and len(named) >= 2:
        return _compare(named[:3], shop)
    if len(named) == 1:
        return _details(named[0], query, shop)
    if query.filters:
        return _search(query, shop)
    if query.asks_price or query.wants_cheapest:
        return _price_range(shop)
    if query.faq is not None:
        faq = next(f for f in shop.faq if f.topic == query.faq)
        return Reply(faq.answer, intent=f"faq:{faq.topic}")
    if query.wants_human:
        return Reply(
            "Of course: press 'Talk to an executive' below, choose what it is about and how we "
            "should reach you.",
            intent="human",
        )
    if query.thanks:
        return Reply("You're welcome! Safe driving.", intent="thanks")
    if query.greeting:
        return Reply(
            f"Hello! Welcome to {shop.shop}. Tell me your tyre size or your car, and I'll find "
            "tyres that fit.",
            intent="greeting",
        )
    return Reply(FALLBACK, fallback=True)


def money(amount: float, shop: Catalogue) -> str:
    return (
        f"{shop.currency} {amount:.0f}"
        if amount == int(amount)
        else f"{shop.currency} {amount:.2f}"
    )


def line(tyre: Tyre, shop: Catalogue) -> str:
    """One tyre in a list: name, season, price and label."""
    label = tyre.eu_label
    return (
        f"{tyre.name} ({tyre.category}): {money(tyre.price, shop)}, label "
        f"{label.fuel_efficiency}/{label.wet_grip}/{label.noise_db} dB"
    )


def _listing(intro: str, tyres: Iterable[Tyre], shop: Catalogue, intent: str) -> Reply:
    chosen = tuple(tyres)[:MAX_PRODUCTS]
    text = intro + "\n" + "\n".join(f"- {line(t, shop)}" for t in chosen)
    return Reply(text, chosen, intent=intent)


def _search(query: Query, shop: Catalogue) -> Reply:
    sizes = set(query.sizes)
    for vehicle in query.vehicles:
        sizes |= set(shop.vehicles[vehicle].sizes)
    found = [
        t
        for t in shop.tyres
        if (not sizes or sizes & set(t.sizes))
        and (not query.vehicles or any(v in t.fits for v in query.vehicles))
        and (not query.seasons or t.category in query.seasons)
        and (not query.brands or t.brand in query.brands)
        and (query.price_cap is None or t.price <= query.price_cap)
    ]
    by_price = query.wants_cheapest or query.asks_price or query.price_cap is not None
    if by_price:
        found.sort(key=lambda t: t.price)
    what = _describe(query, shop)
    if not found:
        return _nothing(query, what, shop)
    advice = (
        SEASON_ADVICE[query.seasons[0]] + " "
        if query.wants_advice and len(query.seasons) == 1
        else ""
    )
    count = f"{len(found)} {what}" if len(found) > 1 else f"one {what}"
    order = ", cheapest first" if by_price else ""
    shown = f". The first {MAX_PRODUCTS}" if len(found) > MAX_PRODUCTS else ""
    return _listing(f"{advice}We have {count}{order}{shown}:", found, shop, "search")


def _nothing(query: Query, what: str, shop: Catalogue) -> Reply:
    """Say plainly that nothing matches; offer the same search without its season, if that helps."""
    text = f"We have no {what} in our catalogue at the moment."
    if query.seasons:
        other = _search(replace(query, seasons=()), shop)
        if other.products:
            return _listing(
                f"{text} Other seasons that match:", other.products, shop, "search:other"
            )
    text += " Ask me about another size or season, or leave your details and we'll look for you."
    return Reply(text, intent="search:none")


def _describe(query: Query, shop: Catalogue) -> str:
    season = "/".join(query.seasons) + " " if query.seasons else ""
    brand = " or ".join(query.brands) + " " if query.brands else ""
    parts = [f"{season}{brand}tyres".strip()]
    if query.sizes:
        parts.append("in " + " or ".join(query.sizes))
    for vehicle in query.vehicles:
        parts.append(f"for the {vehicle} ({', '.join(shop.vehicles[vehicle].sizes)})")
    if query.price_cap is not None:
        parts.append(f"up to {money(query.price_cap, shop)}")
    return " ".join(parts)


def _details(tyre: Tyre, query: Query, shop: Catalogue) -> Reply:
    label = tyre.eu_label
    text = (
        f"{tyre.name} ({tyre.category}, {money(tyre.price, shop)} per tyre). {tyre.summary} "
        f"Sizes: {', '.join(tyre.sizes)}. EU label: fuel {label.fuel_efficiency}, wet grip "
        f"{label.wet_grip}, noise {label.noise_db} dB ({label.noise_class})."
    )
    if tyre.three_peak_snowflake:
        text += " It carries the snowflake symbol for winter use."
    for size in query.sizes:
        text += f" {'It comes' if size in tyre.sizes else 'It does not come'} in {size}."
    for vehicle in query.vehicles:
        text += f" It {'fits' if vehicle in tyre.fits else 'does not fit'} the {vehicle}."
    return Reply(text, (tyre,), intent="details")


def _compare(tyres: list[Tyre], shop: Catalogue) -> Reply:
    rows = [f"- {line(t, shop)}, {t.load_index}{t.speed_rating}" for t in tyres]
    cheapest = min(tyres, key=lambda t: (t.price, t.id))
    wettest = min(tyres, key=lambda t: (t.eu_label.wet_grip, t.id))
    quietest = min(tyres, key=lambda t: (t.eu_label.noise_db, t.id))
    verdict = (
        f"Cheapest: {cheapest.name}. Best wet grip: {wettest.name}. Quietest: {quietest.name}."
    )
    text = "Side by side:\n" + "\n".join(rows) + "\n" + verdict
    return Reply(text, tuple(tyres), intent="compare")


def _price_range(shop: Catalogue) -> Reply:
    by_price = sorted(shop.tyres, key=lambda t: (t.price, t.id))
    low, high = by_price[0], by_price[-1]
    intro = (
        f"Our tyres cost from {money(low.price, shop)} ({low.name}) to {money(high.price, shop)} "
        f"({high.name}) per tyre. Tell me your size or car for exact prices. The cheapest:"
    )
    return _listing(intro, by_price, shop, "prices")
