"""Track a WebSocket chat handler (FastAPI / Starlette) with one `async with`.

    @app.websocket("/chat")
    async def chat(websocket: WebSocket) -> None:
        async with tracked_session(analytics, websocket) as session:
            while True:
                text = await websocket.receive_text()
                session.user_message(text)
                answer = await bot.reply(text)
                session.bot_response(answer)  # latency measured since user_message
                await websocket.send_text(answer)

Starlette is imported for type checking only, and at runtime only once a session ends, so this module
imports without it.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Literal

from chatlytics.sdk._client import Client
from chatlytics.sdk._events import Location
from chatlytics.sdk._uuid7 import uuid7

if TYPE_CHECKING:
    from starlette.websockets import WebSocket

__all__ = ["ChatSession", "tracked_session"]

MAX_REASON = 500
MAX_MESSAGE = 4000


class ChatSession:
    """One visitor's chat over one connection: its ids, its open conversation, its pending question."""

    def __init__(self, client: Client, user_id: str, session_id: str) -> None:
        self.client = client
        self.user_id = user_id
        self.session_id = session_id
        self.conversation_id: str | None = None
        self._asked_at: float | None = None

    def conversation_start(self, conversation_id: str | None = None) -> str:
        """Begin a conversation (ending any open one); its id, made up if not given."""
        if self.conversation_id is not None:
            self.conversation_end()
        self.conversation_id = conversation_id or uuid7()
        self.client.conversation_start(self.user_id, self.session_id, self.conversation_id)
        return self.conversation_id

    def conversation_end(self, status: Literal["completed", "handover"] = "completed") -> None:
        if self.conversation_id is None:
            return
        self.client.conversation_end(
            self.user_id, self.session_id, self.conversation_id, status=status
        )
        self.conversation_id, self._asked_at = None, None

    def user_message(self, text: str, *, message_id: str | None = None) -> None:
        """The visitor wrote; starts a conversation if none is open, and the bot's latency clock."""
        conversation = self.conversation_id or self.conversation_start()
        self.client.user_message(
            self.user_id, self.session_id, conversation, text, message_id=message_id
        )
        self._asked_at = time.perf_counter()

    def bot_response(
        self,
        text: str,
        *,
        fallback: bool = False,
        model: str | None = None,
        tokens_in: int | None = None,
        tokens_out: int | None = None,
        cost: float | None = None,
        message_id: str | None = None,
        latency_ms: float | None = None,
    ) -> None:
        """The bot answered; latency is the time since the last user message (0 if it spoke first)."""
        if latency_ms is None:
            asked = self._asked_at
            latency_ms = 0.0 if asked is None else round((time.perf_counter() - asked) * 1000, 3)
        self._asked_at = None
        conversation = self.conversation_id or self.conversation_start()
        self.client.bot_response(
            self.user_id,
            self.session_id,
            conversation,
            text,
            latency_ms=latency_ms,
            fallback=fallback,
            model=model,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            cost=cost,
            message_id=message_id,
        )

    def system_message(self, text: str, *, message_id: str | None = None) -> None:
        conversation = self.conversation_id or self.conversation_start()
        self.client.system_message(
            self.user_id, self.session_id, conversation, text, message_id=message_id
        )

    def error(self, kind: str, message: str) -> None:
        self.client.error(
            self.user_id, self.session_id, kind, message, conversation_id=self.conversation_id
        )


@asynccontextmanager
async def tracked_session(
    client: Client,
    websocket: WebSocket,
    *,
    user_id: str | None = None,
    session_id: str | None = None,
    user_param: str = "user_id",
    session_param: str = "session_id",
    accept: bool = True,
    location: Location | None = None,
) -> AsyncIterator[ChatSession]:
    """Accept the socket and report session_start; report session_end when the block is left.

    The ids default to the query parameters the widget passed (`?user_id=...&session_id=...`), and are
    made up when missing. A client disconnect ends the session as `completed` and is not re-raised;
    any other exception ends it as `error` (with an `error` event) and propagates.
    """
    params = websocket.query_params
    user = user_id or params.get(user_param) or f"anonymous:{uuid7()}"
    session = session_id or params.get(session_param) or uuid7()
    if accept and websocket.client_state.name == "CONNECTING":
        await websocket.accept()
    agent = websocket.headers.get("user-agent")
    client.session_start(
        user, session, client_info={"user_agent": agent} if agent else None, location=location
    )
    chat = ChatSession(client, user, session)
    client.gauges.session_opened()
    try:
        yield chat
    except Exception as exc:
        from starlette.websockets import WebSocketDisconnect

        if not isinstance(exc, WebSocketDisconnect):
            _failed(chat, exc)
            raise
        chat.conversation_end()
        client.session_end(user, session, status="completed")
    except BaseException as exc:  # cancelled, or the process is exiting: not the visitor's error
        client.session_end(user, session, status="completed", reason=type(exc).__name__)
        raise
    else:
        chat.conversation_end()
        client.session_end(user, session, status="completed")
    finally:
        client.gauges.session_closed()


def _failed(chat: ChatSession, exc: Exception) -> None:
    kind = type(exc).__name__
    message = str(exc) or kind
    chat.error(kind, message[:MAX_MESSAGE])
    chat.client.session_end(
        chat.user_id, chat.session_id, status="error", reason=f"{kind}: {message}"[:MAX_REASON]
    )
