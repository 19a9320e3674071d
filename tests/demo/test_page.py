"""The product pages over real HTTP: content from the catalogue, the tracker tag, a strict CSP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import httpx
import pytest

from chatlytics.demo import create_demo_app, default_catalogue
from chatlytics.demo.app import STATIC
from chatlytics.demo.widget import page_title, tracker_config
from tests.sdk.fakes import RecordingTransport, make_client
from tests.sdk.servers import serve

COLLECTOR = "http://collector.test:8000"
SHOP = default_catalogue()


class Tags(HTMLParser):
    """Every start tag with its attributes, and whether any script has a body."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline_script = False
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_script = True


@pytest.fixture(scope="module")
def demo() -> Iterator[str]:
    client = make_client(RecordingTransport())
    with serve(create_demo_app(COLLECTOR, "cl_w_public", sdk_client=client)) as url:
        yield url
    client.shutdown(timeout=1)


def parse(page: str) -> Tags:
    tags = Tags()
    tags.feed(page)
    return tags


def test_the_home_page_shows_the_featured_tyre_and_loads_the_tracker(demo: str) -> None:
    response = httpx.get(demo + "/")
    assert response.status_code == 200
    featured = SHOP.tyre(SHOP.featured)
    assert featured is not None
    assert page_title(response.text) == f"{featured.name} | {SHOP.shop}"
    assert f"<h1>{featured.name}</h1>" in response.text
    assert tracker_config(response.text).collector == COLLECTOR
    assert tracker_config(response.text).write_key == "cl_w_public"
    scripts = [attrs for tag, attrs in parse(response.text).tags if tag == "script"]
    assert scripts == [
        {"src": f"{COLLECTOR}/t.js", "data-collector": COLLECTOR, "data-write-key": "cl_w_public"},
        {"src": "/static/demo.js"},
    ]


def test_the_page_is_csp_friendly(demo: str) -> None:
    response = httpx.get(demo + "/")
    policy = response.headers["content-security-policy"]
    ws = demo.replace("http://", "ws://")
    assert f"script-src 'self' {COLLECTOR}" in policy
    assert f"connect-src 'self' {ws} {COLLECTOR}" in policy
    assert "default-src 'none'" in policy
    assert "'unsafe-inline'" not in policy
    tags = parse(response.text)
    assert not tags.inline_script
    assert not any("style" in attrs for _, attrs in tags.tags)
    assert not any(name.startswith("on") for _, attrs in tags.tags for name in attrs)


@pytest.mark.parametrize("tyre", [t.id for t in SHOP.tyres])
def test_every_tyre_has_a_page(demo: str, tyre: str) -> None:
    found = SHOP.tyre(tyre)
    assert found is not None
    response = httpx.get(f"{demo}/tyres/{tyre}")
    assert response.status_code == 200
    assert f'data-tyre-id="{tyre}"' in response.text
    for size in found.sizes:
        assert size in response.text


def test_an_unknown_tyre_is_a_404(demo: str) -> None:
    assert httpx.get(f"{demo}/tyres/flying-carpet").status_code == 404


def test_the_tab_in_the_query_is_the_one_shown(demo: str) -> None:
    page = httpx.get(f"{demo}/?tab=label").text
    shown = re.findall(r'data-panel="(\w+)"\s*>', page)
    assert shown == ["label"]  # the others carry `hidden`


def test_the_static_files_are_served(demo: str) -> None:
    for name in ("demo.js", "demo.css", "tyre.svg"):
        response = httpx.get(f"{demo}/static/{name}")
        assert response.status_code == 200
        assert response.content == (STATIC / name).read_bytes()


def test_the_page_script_never_parses_text_as_html() -> None:
    source = (STATIC / "demo.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source
    assert not re.search(r"https?://", source)  # no CDN, no third party
