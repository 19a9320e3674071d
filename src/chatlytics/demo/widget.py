"""The browser side of a simulated visitor: the requests a browser with t.js would make, over real HTTP.

Widget events go to the collector's `POST /v1/events` as the tracker sends them: queued, then sent in
batches (20 events, or when the visitor pauses, or as they leave) as a text/plain body with
`write_key` and `sent_at`; `source: "widget"`, the page in `page_url`, UUIDv7 event ids; retried like
the tracker on 408, 429, 5xx and network errors, honouring Retry-After. Nothing here touches the
database.

Each visitor has an address of their own, sent as `X-Forwarded-For` as a reverse proxy in front of the
collector would add it: all simulated visitors come from one machine, and would otherwise share one
address's rate limit. The collector believes the header only from a trusted proxy (uvicorn trusts
loopback by default); elsewhere it is ignored.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import httpx

from chatlytics.sdk import uuid7

ATTEMPTS = 8
RETRY_BASE_S = 0.2
RETRY_MAX_S = 60.0
BATCH_EVENTS = 20  # as t.js: a batch this big leaves at once
TITLE = re.compile(r"<title>(.*?)</title>", re.S | re.I)


class SimulationError(Exception):
    """The demo or the collector answered in a way a browser could not work with."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class TrackerConfig:
    """What the demo page's tracker tag says: where to send events, with which key."""

    collector: str
    write_key: str


class _TrackerTag(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and (values.get("src") or "").endswith("/t.js"):
            self.found = values


def tracker_config(page: str) -> TrackerConfig:
    """Read the tracker's `data-collector` and `data-write-key` from a page's HTML."""
    parser = _TrackerTag()
    parser.feed(page)
    tag = parser.found
    if not tag or not tag.get("data-write-key"):
        raise SimulationError("the demo page has no tracker tag with a data-write-key")
    src = tag.get("src") or ""
    collector = tag.get("data-collector") or src.rsplit("/t.js", 1)[0]
    return TrackerConfig(collector.rstrip("/"), tag["data-write-key"] or "")


def page_title(page: str) -> str | None:
    found = TITLE.search(page)
    return html.unescape(found.group(1)).strip() if found else None


@dataclass
class Delivery:
    """Totals of what the collector answered, over all visitors."""

    sent: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0


class Widget:
    """One visitor's tracker: its ids and address, an outbox, and `track()` as t.js has it."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        config: TrackerConfig,
        delivery: Delivery,
        *,
        user_agent: str,
        origin: str,
        address: str,
    ) -> None:
        self.http = http
        self.endpoint = f"{config.collector}/v1/events"
        self.write_key = config.write_key
        self.delivery = delivery
        self.headers = {
            "Content-Type": "text/plain;charset=UTF-8",
            "User-Agent": user_agent,
            "Origin": origin,
            "X-Forwarded-For": address,
        }
        self.user_id = uuid7()
        self.session_id = uuid7()
        self.outbox: list[dict[str, Any]] = []
        self.acknowledged = 0

    async def track(
        self,
        type_: str,
        properties: dict[str, Any] | None = None,
        *,
        page_url: str,
        conversation_id: str | None = None,
    ) -> None:
        """Queue one widget event (stamped now); a full batch is sent at once."""
        event: dict[str, Any] = {
            "event_id": uuid7(),
            "type": type_,
            "timestamp": now_iso(),
            "source": "widget",
            "page_url": page_url,
            "properties": {k: v for k, v in (properties or {}).items() if v is not None},
            "user_id": self.user_id,
            "session_id": self.session_id,
        }
        if conversation_id is not None:
            event["conversation_id"] = conversation_id
        self.outbox.append(event)
        if len(self.outbox) >= BATCH_EVENTS:
            await self.flush()

    async def flush(self) -> None:
        """Send what is queued; raises SimulationError if the collector will not take it."""
        while self.outbox:
            batch = self.outbox[:BATCH_EVENTS]
            await self._send(batch)
            del self.outbox[: len(batch)]  # only once acknowledged, as t.js does

    async def _send(self, events: list[dict[str, Any]]) -> None:
        for attempt in range(ATTEMPTS):
            body = json.dumps({"sent_at": now_iso(), "write_key": self.write_key, "events": events})
            wait = min(RETRY_MAX_S, RETRY_BASE_S * 2**attempt)
            try:
                response = await self.http.post(self.endpoint, content=body, headers=self.headers)
            except httpx.TransportError:
                await asyncio.sleep(wait)
                continue
            status = response.status_code
            if status in (408, 429) or status >= 500:
                asked = float(response.headers.get("retry-after", 0))
                await asyncio.sleep(min(RETRY_MAX_S, max(wait, asked)))
                continue
            if status == 202:  # analytics switched off on the server: dropped, as the tracker does
                return
            if status != 200:
                raise SimulationError(f"the collector refused events: {status} {response.text}")
            answer = response.json()
            self.acknowledged += len(events)
            self.delivery.sent += len(events)
            self.delivery.accepted += answer["accepted"]
            self.delivery.duplicates += answer["duplicates"]
            self.delivery.rejected += len(answer["rejected"])
            return
        raise SimulationError(f"the collector at {self.endpoint} did not take events after retries")
