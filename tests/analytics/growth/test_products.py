"""GET /analytics/products answers the interest the scenario's events imply, on every database."""

from __future__ import annotations

from tests.analytics.growth import expected
from tests.analytics.growth.conftest import Loaded
from tests.analytics.support import assert_matches, get


def test_products(loaded: Loaded) -> None:
    for ask in loaded.asks():
        answer = get(loaded.client, "/analytics/products", **ask.params)
        want = expected.products(loaded.scenario.events, ask.start, ask.end)
        assert_matches(answer, want, ask.name)


def test_awkward_names_come_back_as_sent(loaded: Loaded) -> None:
    answer = get(loaded.client, "/analytics/products", **loaded.asks()[0].params)
    names = {p["product_name"] for p in answer["by_product"]}
    assert {"Boots", "boots", "Boots ", "Café Crème ☕", 'The "Big" Pack \\ 40 l'} <= names


def test_the_scenario_covers_every_case(loaded: Loaded) -> None:
    events = loaded.scenario.events
    ask = loaded.asks()[0]
    shown = [e for e in events if e.type == "product_interest"]
    assert any("product_id" not in e.properties for e in shown)
    assert any(e.properties.get("category", 0) is None for e in shown), "a null category"
    found = expected.products(events, ask.start, ask.end)
    # Leads and conversions both before and after the interest.
    assert any(0 < p["leads"] < p["visitors"] for p in found["by_product"])
    assert any(0 < p["conversions"] < p["visitors"] for p in found["by_product"])
