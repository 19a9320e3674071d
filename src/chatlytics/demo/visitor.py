"""Play one `VisitorPlan` against the running demo: pages over HTTP, the chat over its real WebSocket,
widget events to the collector (`Widget`), and a `Tally` of what was done, to compare with the figures.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from websockets.asyncio.client import ClientConnection, connect

from chatlytics.demo.plan import (
    Ask,
    Browse,
    Close,
    Handover,
    Interest,
    Lead,
    Open,
    Step,
    Tab,
    Thumb,
    VisitorPlan,
)
from chatlytics.demo.widget import SimulationError, Widget, page_title

REPLY_TIMEOUT_S = 30.0
FLUSH_S = 2.0  # t.js sends a batch this long after its first event (data-flush-ms)


@dataclass
class Tally:
    """What the simulated visitors did and saw, counted as it happened."""

    visitors: int = 0
    page_views: int = 0
    navigations: int = 0
    widget_opens: int = 0
    widget_closes: int = 0
    chat_sessions: int = 0
    questions: int = 0
    replies: int = 0
    fallbacks: int = 0
    product_interest: int = 0
    feedback: int = 0
    leads: int = 0
    handovers: int = 0
    conversations: set[str] = field(default_factory=set)
    handover_conversations: set[str] = field(default_factory=set)


class ChatSocket:
    """The widget's WebSocket to the demo chat server."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    @classmethod
    async def open(cls, demo: str, widget: Widget, user_agent: str) -> ChatSocket:
        query = urlencode({"user_id": widget.user_id, "session_id": widget.session_id})
        url = demo.replace("http", "ws", 1) + "/ws?" + query
        return cls(await connect(url, user_agent_header=user_agent, open_timeout=REPLY_TIMEOUT_S))

    async def request(self, message: dict[str, Any], expect: str) -> dict[str, Any]:
        await self.connection.send(json.dumps(message))
        async with asyncio.timeout(REPLY_TIMEOUT_S):
            while True:
                answer: dict[str, Any] = json.loads(await self.connection.recv())
                if answer.get("type") == expect:
                    return answer
                if answer.get("type") == "invalid":
                    raise SimulationError(f"the chat server refused {message}: {answer}")

    async def close(self) -> None:
        await self.connection.close()


class Visit:
    """One visitor's state while their plan runs."""

    def __init__(
        self, plan: VisitorPlan, demo: str, http: httpx.AsyncClient, widget: Widget, tally: Tally
    ) -> None:
        self.plan = plan
        self.demo = demo
        self.http = http
        self.widget = widget
        self.tally = tally
        self.page = demo + plan.landing
        self.title: str | None = None
        self.socket: ChatSocket | None = None
        self.widget_open_at: float | None = None
        self.conversation: str | None = None
        self.last_reply: dict[str, Any] | None = None
        self.last_user: str | None = None

    async def run(self, delays: Sequence[float]) -> None:
        """Play the plan, waiting `delays[i]` seconds before step i (and the last one before leaving)."""
        try:
            await self.load(self.page, self.plan.referrer)
            for step, delay in zip(self.plan.steps, delays, strict=False):
                await self.pause(delay)
                await self.do(step)
            await self.pause(delays[-1])
            await self.leave()
        finally:
            if self.socket is not None:
                await self.socket.close()
            # What is queued goes out, even after a failure, as t.js's outbox would send it.
            await self.widget.flush()
            if self.widget.acknowledged:
                self.tally.visitors += (
                    1  # a visitor, and a session, once events of theirs are stored
                )

    async def pause(self, seconds: float) -> None:
        if seconds >= FLUSH_S:  # t.js's timer would fire meanwhile
            await self.widget.flush()
        if seconds > 0:
            await asyncio.sleep(seconds)

    async def track(
        self, type_: str, properties: dict[str, Any] | None = None, *, conversation: bool = False
    ) -> None:
        conversation_id = self.conversation if conversation else None
        await self.widget.track(
            type_, properties, page_url=self.page, conversation_id=conversation_id
        )

    async def load(self, url: str, referrer: str | None) -> None:
        """A full page load: the HTML, then the tracker's automatic page_view."""
        response = await self.http.get(url, headers={"User-Agent": self.plan.user_agent})
        if response.status_code != 200:
            raise SimulationError(f"GET {url}: {response.status_code}")
        self.page, self.title = url, page_title(response.text)
        await self.track("page_view", {"title": self.title, "referrer": referrer})
        self.tally.page_views += 1

    async def do(self, step: Step) -> None:
        match step:
            case Browse(path):
                await self.load(self.demo + path, self.page)
            case Tab(name):
                before, after = self.page, self._with_tab(name)
                if after != before:
                    self.page = after
                    await self.track("navigation", {"from_url": before, "to_url": after})
                    await self.track("page_view", {"title": self.title, "referrer": before})
                    self.tally.navigations += 1
                    self.tally.page_views += 1
            case Open():
                await self.open()
            case Ask(text):
                await self.ask(text)
            case Interest(pick):
                await self.interest(pick)
            case Thumb(rating):
                if self.last_reply is not None:
                    rated = {"rating": rating, "message_id": self.last_reply["message_id"]}
                    await self.track("feedback", rated, conversation=True)
                    self.tally.feedback += 1
            case Lead():
                lead = {
                    "lead_type": step.lead_type,
                    "name": step.name,
                    "email": step.email,
                    "phone": step.phone,
                }
                await self.track("lead_submitted", lead, conversation=True)
                self.tally.leads += 1
            case Handover():
                await self.handover(step)
            case Close():
                await self.close_widget(explicit=True)

    def _with_tab(self, name: str) -> str:
        parts = urlsplit(self.page)
        return parts._replace(query=urlencode({"tab": name})).geturl()

    async def open(self) -> None:
        await self.track("widget_open")
        self.tally.widget_opens += 1
        self.widget_open_at = time.monotonic()
        if self.socket is None:
            self.socket = await ChatSocket.open(self.demo, self.widget, self.plan.user_agent)
            self.tally.chat_sessions += 1

    async def ask(self, text: str) -> None:
        if self.socket is None:
            raise SimulationError("asked a question with the widget closed")
        self.last_user = text
        reply = await self.socket.request({"type": "message", "text": text}, "reply")
        self.tally.questions += 1
        self.tally.replies += 1
        self.tally.fallbacks += bool(reply["fallback"])
        self.conversation = reply["conversation_id"]
        self.tally.conversations.add(reply["conversation_id"])
        self.last_reply = reply

    async def interest(self, pick: float) -> None:
        products = (self.last_reply or {}).get("products") or []
        if not products:
            return
        product = products[min(int(pick * len(products)), len(products) - 1)]
        chosen = {
            "product_name": product["name"],
            "product_id": product["id"],
            "category": product["category"],
        }
        await self.track("product_interest", chosen, conversation=True)
        self.tally.product_interest += 1

    async def handover(self, step: Handover) -> None:
        request = {
            "issues": list(step.issues),
            "support_option": step.support_option,
            "other_text": step.other_text,
            "last_message": self.last_user,
        }
        await self.track("handover_requested", request, conversation=True)
        self.tally.handovers += 1
        if self.conversation is not None:
            self.tally.handover_conversations.add(self.conversation)
        if self.socket is not None:
            await self.socket.request({"type": "handover"}, "ended")

    async def close_widget(self, *, explicit: bool) -> None:
        """The close button (explicit), or the tracker's own widget_close as the page goes away."""
        if self.widget_open_at is None:
            return
        if explicit and self.socket is not None:
            await self.socket.request({"type": "close"}, "ended")
        spent = round(time.monotonic() - self.widget_open_at, 3)
        last_bot = self.last_reply["text"] if self.last_reply else None
        closed = {
            "time_spent_seconds": spent,
            "last_user_message": self.last_user,
            "last_bot_message": last_bot,
        }
        await self.track("widget_close", closed, conversation=True)
        self.tally.widget_closes += 1
        self.widget_open_at = None

    async def leave(self) -> None:
        """The tab closes: pagehide closes an open widget, the page turns hidden, the socket drops."""
        await self.close_widget(explicit=False)
        await self.track("page_hidden")
