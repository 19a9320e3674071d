"""GET /dashboard and its built assets, with the security headers every dashboard response carries.

The page itself holds no data and needs no key: it signs in with a read key and asks the analytics API.
`make dashboard` builds it from dashboard/ at the repository root into `static/`: `index.html`, and
content-hashed files under `static/assets/` that may be cached forever. Until then /dashboard answers
503 saying how to build it.
"""

from __future__ import annotations

import gzip
import html
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse

STATIC = Path(__file__).parent / "static"
NOT_BUILT = (
    "The dashboard has not been built: run `make dashboard` "
    "(npm ci --prefix dashboard && npm run --prefix dashboard build), then reload.\n"
)
# No inline script or style, nothing from another origin; data only from this collector's API.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",  # frame-ancestors, for browsers that predate it
}
ASSET_TYPES = {
    ".js": "application/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
ASSET_NAME = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")
# The built index.html names the app's root as %ROOT%, so the page also works behind a path prefix.
ROOT_MARK = "%ROOT%"


@dataclass(frozen=True)
class _Read:
    stamp: tuple[int, int]
    plain: bytes
    gzipped: bytes


class _Files:
    """Built files read once and kept with their gzipped copy, read again when they change on disk."""

    def __init__(self) -> None:
        self._read: dict[Path, _Read] = {}
        self._lock = threading.Lock()

    def get(self, path: Path) -> _Read | None:
        try:
            stat = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            found = self._read.get(path)
            if found is None or found.stamp != stamp:
                plain = path.read_bytes()
                found = _Read(stamp, plain, gzip.compress(plain, mtime=0))
                self._read[path] = found
            return found


def _accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() == "gzip" and params.replace(" ", "") not in ("q=0", "q=0.0"):
            return True
    return False


def pages_router(static: Path = STATIC) -> APIRouter:
    """The page at /dashboard and its assets at /dashboard/assets/{name}, from `static`."""
    router = APIRouter(tags=["dashboard"], include_in_schema=False)
    files = _Files()

    @router.get("/dashboard")
    def dashboard(request: Request) -> Response:
        found = files.get(static / "index.html")
        if found is None:
            return PlainTextResponse(NOT_BUILT, status_code=503, headers=SECURITY_HEADERS)
        root = html.escape(request.scope.get("root_path", "").rstrip("/"))
        page = found.plain.decode().replace(ROOT_MARK, root)
        return HTMLResponse(page, headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"})

    @router.get("/dashboard/assets/{name}")
    def asset(request: Request, name: str) -> Response:
        media_type = ASSET_TYPES.get(Path(name).suffix)
        found = files.get(static / "assets" / name) if ASSET_NAME.fullmatch(name) else None
        if media_type is None or found is None:
            return PlainTextResponse("no such asset\n", status_code=404, headers=SECURITY_HEADERS)
        headers = {
            **SECURITY_HEADERS,
            # The names carry a hash of the content: a new build gets new names.
            "Cache-Control": "public, max-age=31536000, immutable",
            "Vary": "Accept-Encoding",
        }
        body = found.plain
        if _accepts_gzip(request):
            body = found.gzipped
            headers["Content-Encoding"] = "gzip"
        return Response(body, media_type=media_type, headers=headers)

    return router
