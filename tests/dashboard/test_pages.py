"""GET /dashboard and its assets: 503 until built, the built page with its security headers, caching."""

from __future__ import annotations

import gzip
import re
from collections.abc import Mapping
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import chatlytics.dashboard as dashboard
from chatlytics.dashboard import STATIC, dashboard_router
from tests.dashboard.site import REQUIRED

pytestmark = pytest.mark.usefixtures("sqlite_only")
PAGE = (
    '<!doctype html><html data-root="%ROOT%"><link rel="stylesheet" href="%ROOT%/dashboard/assets/'
    'app-1.css"><script type="module" src="%ROOT%/dashboard/assets/app-1.js"></script></html>'
)


def client_for(static: Path, root_path: str = "") -> TestClient:
    app = FastAPI()
    app.include_router(dashboard_router(static))
    return TestClient(app, root_path=root_path)


@pytest.fixture
def built(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(PAGE)
    (tmp_path / "assets" / "app-1.js").write_text("console.log('hi')\n" * 50)
    (tmp_path / "assets" / "app-1.css").write_text("body { color: red }\n")
    return tmp_path


def assert_protected(headers: Mapping[str, str]) -> None:
    policy = headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe" not in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


def test_not_built_is_503_saying_how_to_build(tmp_path: Path) -> None:
    response = client_for(tmp_path / "missing").get("/dashboard")
    assert response.status_code == 503
    assert "make dashboard" in response.text
    assert "npm ci --prefix dashboard && npm run --prefix dashboard build" in response.text
    assert_protected(response.headers)


def test_the_page(built: Path) -> None:
    response = client_for(built).get("/dashboard")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    assert_protected(response.headers)
    assert "%ROOT%" not in response.text
    assert 'src="/dashboard/assets/app-1.js"' in response.text


def test_the_page_behind_a_path_prefix(built: Path) -> None:
    response = client_for(built, root_path="/chat").get("/dashboard")
    assert 'data-root="/chat"' in response.text
    assert 'src="/chat/dashboard/assets/app-1.js"' in response.text


def test_assets(built: Path) -> None:
    client = client_for(built)
    plain = client.get("/dashboard/assets/app-1.js", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert plain.headers["content-type"] == "application/javascript; charset=utf-8"
    assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert_protected(plain.headers)
    assert "content-encoding" not in plain.headers
    zipped = client.get("/dashboard/assets/app-1.js", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content  # httpx decoded it
    assert len(gzip.compress(plain.content)) < len(plain.content)
    css = client.get("/dashboard/assets/app-1.css")
    assert css.headers["content-type"] == "text/css; charset=utf-8"


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/assets/app-2.js",  # not there
        "/dashboard/assets/index.html",  # not an asset type
        "/dashboard/assets/..%2Findex.html",
        "/dashboard/assets/%2E%2E%2F..%2Fpages.py",
    ],
)
def test_nothing_else_is_served(built: Path, path: str) -> None:
    assert client_for(built).get(path).status_code == 404


def test_public_names() -> None:
    assert sorted(dashboard.__all__) == ["SECURITY_HEADERS", "STATIC", "dashboard_router", "router"]


def test_the_real_build_has_no_inline_code() -> None:
    """What `make dashboard` produced: scripts and styles only from files, and those files exist."""
    page_file = STATIC / "index.html"
    if not page_file.is_file():
        if REQUIRED:
            pytest.fail(
                f"{page_file} is missing: run `make dashboard` (CHATLYTICS_REQUIRE_BROWSER=1)"
            )
        pytest.skip(f"{page_file} is missing: run `make dashboard`")
    page = page_file.read_text()
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None, "an inline script"
    assert "<style" not in page
    assert " style=" not in page
    assert re.search(r"\son[a-z]+=", page) is None, "an inline event handler"
    for name in re.findall(r"%ROOT%/dashboard/assets/([^\"]+)", page):
        assert (STATIC / "assets" / name).is_file(), name
