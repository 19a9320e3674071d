"""The product page: templates/product.html filled from the catalogue, every value HTML-escaped.

The page holds no inline script or style, so it can be served with a strict Content-Security-Policy
that allows scripts only from this origin and from the collector (the tracker).
"""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

from chatlytics.demo.bot import money
from chatlytics.demo.catalogue import Catalogue, Tyre

TEMPLATE = Path(__file__).parent / "templates" / "product.html"
TABS = ("overview", "specs", "label")
FITTING_PRICE = 15.0


@cache
def _template() -> Template:
    return Template(TEMPLATE.read_text(encoding="utf-8"))


def origin(url: str) -> str:
    """`scheme://host[:port]` of `url`, as CSP source lists name it."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(collector: str, page_origin: str) -> str:
    """Scripts from here and the collector; network only to here (and its WebSocket) and the collector."""
    collector_origin = origin(collector)
    socket = page_origin.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src 'self' {collector_origin}",
            "style-src 'self'",
            "img-src 'self'",
            f"connect-src 'self' {socket} {collector_origin}",
            "form-action 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )


def render_product(
    tyre: Tyre, shop: Catalogue, *, collector: str, write_key: str, tab: str | None
) -> str:
    """The page of `tyre`, with the tracker of `collector` and the chat widget."""
    shown = tab if tab in TABS else "overview"
    related = "".join(
        f'<li><a href="/tyres/{html.escape(other.id)}">{html.escape(other.name)}</a> '
        f"<span>{html.escape(other.category)}, {html.escape(money(other.price, shop))}</span></li>"
        for other in shop.tyres
        if other.id != tyre.id and other.category == tyre.category
    )
    label = tyre.eu_label
    values = {
        "title": f"{tyre.name} | {shop.shop}",
        "shop": shop.shop,
        "tyre_id": tyre.id,
        "name": tyre.name,
        "category": tyre.category,
        "category_class": tyre.category,
        "summary": tyre.summary,
        "price": money(tyre.price, shop),
        "fitting": money(FITTING_PRICE, shop),
        "fits": ", ".join(tyre.fits) or "ask us",
        "sizes": ", ".join(tyre.sizes),
        "load_speed": f"{tyre.load_index}{tyre.speed_rating}",
        "fuel": label.fuel_efficiency,
        "wet": label.wet_grip,
        "noise": f"{label.noise_db} dB ({label.noise_class})",
        "collector": collector.rstrip("/"),
        "write_key": write_key,
    }
    escaped = {name: html.escape(value) for name, value in values.items()}
    hidden = {f"{name}_hidden": "" if name == shown else "hidden" for name in TABS}
    flags = {"snowflake_hidden": "" if tyre.three_peak_snowflake else "hidden", "related": related}
    return _template().substitute(escaped | hidden | flags)
