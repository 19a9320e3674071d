"""GET /t.js: the built tracker, with a short cache, an ETag and gzip when the browser takes it."""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, Response

BUILT = Path(__file__).parent / "static" / "t.js"
CACHE_SECONDS = 300
NOT_BUILT = (
    "the tracker has not been built: run `make tracker` "
    "(npm ci --prefix tracker && npm run --prefix tracker build)"
)


@dataclass(frozen=True)
class _Built:
    stamp: tuple[int, int]
    plain: bytes
    gzipped: bytes
    etag: str


class _File:
    """The built file, read again only when it changes on disk (a rebuild needs no restart)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._built: _Built | None = None
        self._lock = threading.Lock()

    def get(self) -> _Built | None:
        try:
            stat = self._path.stat()
        except FileNotFoundError:
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if self._built is None or self._built.stamp != stamp:
                plain = self._path.read_bytes()
                digest = hashlib.sha256(plain).hexdigest()[:20]
                self._built = _Built(stamp, plain, gzip.compress(plain, mtime=0), digest)
            return self._built


def _accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() == "gzip" and params.replace(" ", "") not in ("q=0", "q=0.0"):
            return True
    return False


def tracker_router(path: Path = BUILT) -> APIRouter:
    """A router serving the file at `path` as /t.js (503 with how to build it while it is missing)."""
    router = APIRouter(tags=["tracker"])
    built = _File(path)

    @router.get(
        "/t.js",
        response_class=Response,
        responses={
            200: {"content": {"application/javascript": {}}, "description": "the tracker"},
            304: {"description": "the browser's copy (If-None-Match) is current"},
            503: {"description": "the tracker has not been built (`make tracker`)"},
        },
    )
    def tracker_js(request: Request) -> Response:
        """The browser tracker; see docs/tracker.md."""
        found = built.get()
        if found is None:
            raise HTTPException(503, NOT_BUILT)
        zipped = _accepts_gzip(request)
        # A strong ETag names one representation: the gzipped bytes get their own.
        etag = f'"{found.etag}{"-gz" if zipped else ""}"'
        headers = {
            "Cache-Control": f"public, max-age={CACHE_SECONDS}",
            "ETag": etag,
            "Vary": "Accept-Encoding",
            "X-Content-Type-Options": "nosniff",
        }
        wanted = {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}
        if etag in wanted or f"W/{etag}" in wanted or "*" in wanted:
            return Response(status_code=304, headers=headers)
        if zipped:
            headers["Content-Encoding"] = "gzip"
        return Response(
            found.gzipped if zipped else found.plain,
            media_type="application/javascript; charset=utf-8",
            headers=headers,
        )

    return router


router = tracker_router()
