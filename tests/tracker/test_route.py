"""GET /t.js: the built file with its cache headers, gzip when asked, and a clear 503 before a build."""

from __future__ import annotations

import gzip
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

import chatlytics.tracker
from chatlytics.tracker import tracker_router

SOURCE = b"(()=>{window.built=1})();\n"


def client(path: Path) -> TestClient:
    app = FastAPI()
    app.include_router(tracker_router(path))
    return TestClient(app)


def test_the_public_api_is_pinned() -> None:
    assert chatlytics.tracker.__all__ == ["BUILT", "router", "tracker_router"]
    assert chatlytics.tracker.BUILT.parts[-3:] == ("tracker", "static", "t.js")


def test_serves_the_built_file_with_cache_headers(tmp_path: Path) -> None:
    built = tmp_path / "t.js"
    built.write_bytes(SOURCE)
    answer = client(built).get("/t.js", headers={"Accept-Encoding": "identity"})
    assert answer.status_code == 200
    assert answer.content == SOURCE
    assert answer.headers["content-type"] == "application/javascript; charset=utf-8"
    assert answer.headers["cache-control"] == "public, max-age=300"
    assert answer.headers["etag"].startswith('"')
    assert "content-encoding" not in answer.headers


def test_gzip_when_accepted_with_its_own_etag(tmp_path: Path) -> None:
    built = tmp_path / "t.js"
    built.write_bytes(SOURCE)
    web = client(built)
    plain = web.get("/t.js", headers={"Accept-Encoding": "identity"})
    zipped = web.get("/t.js", headers={"Accept-Encoding": "br;q=1, gzip;q=0.8"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert zipped.content == SOURCE  # the client has already decompressed it
    assert zipped.headers["etag"] != plain.headers["etag"]
    refused = web.get("/t.js", headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


def test_an_unchanged_file_is_not_sent_again(tmp_path: Path) -> None:
    built = tmp_path / "t.js"
    built.write_bytes(SOURCE)
    web = client(built)
    etag = web.get("/t.js").headers["etag"]
    again = web.get("/t.js", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag


def test_a_rebuild_is_served_without_a_restart(tmp_path: Path) -> None:
    built = tmp_path / "t.js"
    built.write_bytes(SOURCE)
    web = client(built)
    first = web.get("/t.js").headers["etag"]
    built.write_bytes(SOURCE + b"// rebuilt\n")
    answer = web.get("/t.js", headers={"If-None-Match": first})
    assert answer.status_code == 200
    assert answer.content.endswith(b"// rebuilt\n")


def test_an_unbuilt_tracker_is_a_503_that_says_how_to_build_it(tmp_path: Path) -> None:
    answer = client(tmp_path / "t.js").get("/t.js")
    assert answer.status_code == 503
    assert "make tracker" in answer.json()["detail"]


def test_the_gzipped_body_is_what_gzip_makes(tmp_path: Path) -> None:
    built = tmp_path / "t.js"
    built.write_bytes(SOURCE * 100)
    with client(built) as web, web.stream("GET", "/t.js") as answer:
        raw = b"".join(answer.iter_raw())
    assert gzip.decompress(raw) == SOURCE * 100
    assert len(raw) < len(SOURCE) * 10
