"""CORS for the ingestion routes only: any site's pages may send events; the read API stays closed."""

from __future__ import annotations

import re

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

INGEST_PATHS = re.compile(
    r"^/(v1/events|analytics/(leads|human_handover|chatbot_close|session_end|user_left))$"
)


class IngestCORS:
    """Starlette's CORSMiddleware, applied to ingestion requests and nothing else: a POST or a
    preflight to an ingestion path (two legacy ingestion paths are also read routes, for GET)."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["POST", "OPTIONS"],
            allow_headers=["authorization", "content-type", "content-encoding", "x-write-key"],
            expose_headers=["Retry-After"],  # so a page can honour it on 429 and 503
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in ("POST", "OPTIONS")
            and INGEST_PATHS.match(scope["path"])
        ):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
