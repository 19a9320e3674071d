"""The transport: the one place the SDK touches the network, and the seam tests replace."""

from __future__ import annotations

import os
import zlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import httpx

GZIP_LEVEL = 6


class Response(Protocol):
    """What the SDK reads from an answer; an `httpx.Response` is one."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def content(self) -> bytes: ...


class Transport(Protocol):
    """Sends one JSON body to POST /v1/events; raising means a network error, and is retried.

    It is called from the consumer thread only, one request at a time. If it has a `close()`
    method, the client calls it on shutdown.
    """

    def send(self, payload: bytes, headers: Mapping[str, str]) -> Response: ...


class HttpTransport:
    """POST with httpx, the body gzipped; a forked child opens its own connections."""

    def __init__(self, url: str, *, timeout: float = 10.0, gzip: bool = True) -> None:
        self.url = url
        self.timeout = timeout
        self.gzip = gzip
        self._client: httpx.Client | None = None
        self._pid = os.getpid()

    def send(self, payload: bytes, headers: Mapping[str, str]) -> httpx.Response:
        sent_headers = dict(headers)
        if self.gzip:
            packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
            payload = packer.compress(payload) + packer.flush()
            sent_headers["Content-Encoding"] = "gzip"
        return self._http().post(self.url, content=payload, headers=sent_headers)

    def close(self) -> None:
        if self._client is not None and self._pid == os.getpid():
            self._client.close()
        self._client = None

    def _http(self) -> httpx.Client:
        # Inherited sockets belong to the parent: closing them here could end its TLS sessions,
        # so a child just forgets them and connects anew.
        if self._client is None or self._pid != os.getpid():
            import httpx  # deferred: an app with its own transport never pays for importing it

            self._client = httpx.Client(timeout=self.timeout, follow_redirects=False)
            self._pid = os.getpid()
        return self._client
