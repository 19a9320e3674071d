"""Read a request body safely: size limits before and after gzip, then JSON."""

from __future__ import annotations

import zlib
from typing import Any

import orjson
from fastapi import HTTPException, Request

MAX_BODY_BYTES = 512 * 1024


async def read_json(request: Request, limit: int = MAX_BODY_BYTES) -> Any:
    """The decoded JSON body; 413 past `limit` bytes (decompressed), 400 if it is not JSON."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"body is larger than {limit} bytes")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise HTTPException(413, f"body is larger than {limit} bytes")
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding == "gzip":
        raw = bytearray(_gunzip(bytes(raw), limit))
    elif encoding not in ("identity", ""):
        raise HTTPException(415, f"unsupported Content-Encoding {encoding!r}: use gzip or none")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise HTTPException(400, f"body is not valid JSON: {exc}") from None


def _gunzip(data: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise HTTPException(400, f"body is not valid gzip: {exc}") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise HTTPException(413, f"body is larger than {limit} bytes once decompressed")
    if not inflater.eof:
        raise HTTPException(400, "body is not valid gzip: truncated")
    return out
