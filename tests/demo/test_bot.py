"""The tyre bot: answers come from the catalogue, and it says so when it does not know."""

from __future__ import annotations

import json

import pytest

import chatlytics.demo
from chatlytics.demo import Catalogue, answer, default_catalogue, load_catalogue
from chatlytics.demo.catalogue import DATA
from chatlytics.demo.query import parse

SHOP = default_catalogue()


def ids(message: str) -> list[str]:
    return [tyre.id for tyre in answer(message).products]


def test_the_catalogue_is_a_small_consistent_shop() -> None:
    assert 12 <= len(SHOP.tyres) <= 20
    assert {tyre.category for tyre in SHOP.tyres} == {"summer", "winter", "all-season"}
    for tyre in SHOP.tyres:
        assert tyre.fits, tyre.id
        for vehicle in tyre.fits:
            assert set(SHOP.vehicles[vehicle].sizes) & set(tyre.sizes)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda d: d["tyres"][0].update(sizes=["205-55-16"]), "is not a size"),
        (lambda d: d["tyres"][0].update(fits=["DeLorean"]), "unknown vehicle"),
        (lambda d: d["tyres"][1].update(id=d["tyres"][0]["id"]), "unique"),
        (lambda d: d.update(featured="nope"), "featured"),
    ],
)
def test_a_broken_catalogue_fails_at_load(change: object, error: str) -> None:
    data = json.loads(DATA.read_text())
    change(data)  # type: ignore[operator]
    with pytest.raises(ValueError, match=error):
        Catalogue.model_validate(data)


def test_load_catalogue_reads_a_file() -> None:
    assert load_catalogue(DATA) == SHOP


@pytest.mark.parametrize(
    "message", ["Do you have 205/55 R16?", "205/55r16 please", "any 205 55 16", "205/55/16?"]
)
def test_size_lookup_in_any_spelling(message: str) -> None:
    reply = answer(message)
    assert not reply.fallback
    assert reply.intent == "search"
    assert reply.products
    assert all("205/55 R16" in tyre.sizes for tyre in reply.products)
    assert "205/55 R16" in reply.text


def test_size_and_season_narrow_down_together() -> None:
    reply = answer("Do you have 205/55 R16 winter tyres?")
    expected = [t.id for t in SHOP.tyres if t.category == "winter" and "205/55 R16" in t.sizes]
    assert ids("Do you have 205/55 R16 winter tyres?") == expected
    assert reply.text.startswith(f"We have {len(expected)} winter tyres in 205/55 R16:")


def test_vehicle_fit_uses_the_fitment_list() -> None:
    reply = answer("What fits my VW Golf?")
    golf = [t.id for t in SHOP.tyres if "Volkswagen Golf" in t.fits]
    assert (
        f"We have {len(golf)} tyres for the Volkswagen Golf (205/55 R16, 225/45 R17)" in reply.text
    )
    assert ids("What fits my VW Golf?") == golf[:4]  # product cards: the first four


def test_cheapest_sorts_by_price() -> None:
    reply = answer("cheapest tyres for a fiat 500")
    prices = [t.price for t in reply.products]
    assert prices == sorted(prices)
    assert [t.id for t in reply.products] == ["kestrel-city", "kestrel-frost"]
    assert "EUR 49" in reply.text


def test_a_price_cap_and_a_season() -> None:
    reply = answer("all season tyres under 100 euros")
    assert [t.id for t in reply.products] == ["aurelia-allyear", "terrano-quattro"]
    assert all(t.price <= 100 and t.category == "all-season" for t in reply.products)


def test_the_price_of_one_tyre() -> None:
    reply = answer("How much is the Polar 3?")
    assert reply.intent == "details"
    assert ids("How much is the Polar 3?") == ["nordkap-polar-3"]
    assert "EUR 109 per tyre" in reply.text


def test_one_tyre_in_a_size_says_whether_it_comes_in_it() -> None:
    assert "It comes in 225/45 R17." in answer("sport 5 in 225/45 r17?").text
    assert "It does not come in 175/65 R14." in answer("sport 5 in 175/65 r14?").text


def test_comparison_names_the_winners() -> None:
    reply = answer("Compare the Polar 3 vs the Snowline")
    assert reply.intent == "compare"
    assert ids("Compare the Polar 3 vs the Snowline") == ["nordkap-polar-3", "aurelia-snowline"]
    assert "Cheapest: Aurelia Snowline. Best wet grip: Nordkap Polar 3." in reply.text


def test_season_advice_comes_with_picks() -> None:
    reply = answer("Should I buy winter tyres?")
    assert reply.text.startswith("Winter tyres grip better below about 7 °C")
    assert reply.products
    assert all(t.category == "winter" for t in reply.products)


def test_nothing_in_stock_is_an_honest_answer_not_a_fallback() -> None:
    reply = answer("Do you have 255/35 R19?")
    assert (reply.fallback, reply.products, reply.intent) == (False, (), "search:none")
    assert reply.text.startswith("We have no tyres in 255/35 R19")


def test_no_winter_tyre_offers_the_other_seasons() -> None:
    reply = answer("winter tyres for my Tesla?")
    assert reply.intent == "search:other"
    assert reply.products
    assert all("Tesla Model 3" in t.fits and t.category != "winter" for t in reply.products)


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("Do you do fitting?", "faq:fitting"),
        ("How long does delivery take?", "faq:delivery"),
        ("Can I talk to a person?", "human"),
        ("Hello", "greeting"),
        ("thanks!", "thanks"),
    ],
)
def test_shop_questions(message: str, intent: str) -> None:
    reply = answer(message)
    assert (reply.intent, reply.fallback) == (intent, False)


@pytest.mark.parametrize(
    "message",
    [
        "Do you sell bicycle tyres?",
        "What's the weather tomorrow?",
        "",
        "   ",
        "Peugeot 208?",
        "Is there a discount for students?",
        "<script>alert(1)</script>",
    ],
)
def test_the_fallback_is_honest(message: str) -> None:
    reply = answer(message)
    assert (reply.fallback, reply.intent, reply.products) == (True, "fallback", ())
    assert reply.text.startswith("Sorry, I don't know that.")


def test_word_boundaries_keep_apart_words_that_contain_others() -> None:
    # "price" contains "ice" (winter), "which" contains "hi" (greeting).
    query = parse("which price?", SHOP)
    assert (query.seasons, query.greeting, query.asks_price) == ((), False, True)


def test_the_bot_is_a_pure_function() -> None:
    messages = ["Hi", "205/55 R16", "Compare the Polar 3 vs the Snowline", "bicycles?"]
    assert [answer(m) for m in messages] == [answer(m) for m in messages]
    other = SHOP.model_copy(update={"shop": "Other Shop"})
    assert "Welcome to Other Shop" in answer("hello", other).text


def test_the_public_api_is_pinned() -> None:
    assert chatlytics.demo.__all__ == [
        "Catalogue",
        "Reply",
        "Tyre",
        "answer",
        "create_demo_app",
        "default_catalogue",
        "load_catalogue",
    ]
    for name in chatlytics.demo.__all__:
        assert getattr(chatlytics.demo, name).__doc__, f"{name} has no docstring"
