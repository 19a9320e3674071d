"""The chat WebSocket: JSON messages in, the bot's replies out, every step reported with the SDK.

The socket is one visitor's chat session (`tracked_session`: session_start on connect, session_end on
disconnect, with the widget's `user_id` and `session_id` from the query string). A socket without
those ids belongs to a visitor the tracker may not count (no consent, Do Not Track, tracker blocked):
it is served the same, and reported to no one. Inbound messages:

    {"type": "message", "text": "..."}   a question: user_message, the bot, bot_response
    {"type": "close"}                    the widget was closed: conversation_end (completed)
    {"type": "handover"}                 a person takes over: conversation_end (handover)

Outbound: `reply` (text, products, fallback, conversation_id, message_id), `ended` (after close or
handover), and `invalid` for a message this protocol does not know (it does not end the session).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import WebSocket
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

from chatlytics.demo.bot import MODEL, Reply
from chatlytics.demo.catalogue import Tyre
from chatlytics.sdk import ChatSession, Client, tracked_session, uuid7

MAX_TEXT = 2000
APOLOGY = "Sorry, something went wrong on our side. Please ask again, or talk to an executive."
Bot = Callable[[str], Reply]


class Say(BaseModel):
    type: Literal["message"]
    text: str = Field(min_length=1, max_length=MAX_TEXT)


class Close(BaseModel):
    type: Literal["close"]


class Handover(BaseModel):
    type: Literal["handover"]


Inbound = TypeAdapter[Say | Close | Handover](
    Annotated[Say | Close | Handover, Field(discriminator="type")]
)


def product_card(tyre: Tyre, currency: str) -> dict[str, Any]:
    """What the widget shows of a tyre in a reply (and sends back in `productInterest`)."""
    return {
        "id": tyre.id,
        "name": tyre.name,
        "category": tyre.category,
        "price": tyre.price,
        "currency": currency,
        "sizes": list(tyre.sizes),
        "label": f"{tyre.eu_label.fuel_efficiency}/{tyre.eu_label.wet_grip}/"
        f"{tyre.eu_label.noise_db} dB",
        "url": f"/tyres/{tyre.id}",
    }


async def chat(
    websocket: WebSocket, client: Client, silent: Client, bot: Bot, currency: str
) -> None:
    """Serve one visitor's socket until it disconnects; report with `client`, or `silent` (disabled)
    when the widget sent no ids."""
    params = websocket.query_params
    counted = bool(params.get("user_id") and params.get("session_id"))
    async with tracked_session(client if counted else silent, websocket) as session:
        while True:
            raw = await websocket.receive_text()
            try:
                message = Inbound.validate_json(raw)
            except ValidationError as exc:
                detail = "; ".join(e["msg"] for e in exc.errors(include_url=False))
                await websocket.send_json({"type": "invalid", "detail": detail})
                continue
            if isinstance(message, Say):
                await websocket.send_json(await _reply(session, bot, message.text, currency))
            else:
                ended = session.conversation_id
                status: Literal["completed", "handover"] = (
                    "handover" if isinstance(message, Handover) else "completed"
                )
                session.conversation_end(status)
                await websocket.send_json(
                    {"type": "ended", "conversation_id": ended, "status": status}
                )


async def _reply(session: ChatSession, bot: Bot, text: str, currency: str) -> dict[str, Any]:
    session.user_message(text)
    try:
        # On a worker thread: a bot that calls a model or a database must not stall other chats.
        reply = await run_in_threadpool(bot, text)
    except Exception as exc:
        # The visitor still gets an answer; the failure is reported, and the session goes on.
        session.error(type(exc).__name__, str(exc) or type(exc).__name__)
        reply = Reply(APOLOGY, fallback=True, intent="error")
    message_id = uuid7()
    session.bot_response(reply.text, fallback=reply.fallback, model=MODEL, message_id=message_id)
    return {
        "type": "reply",
        "conversation_id": session.conversation_id,
        "message_id": message_id,
        "text": reply.text,
        "fallback": reply.fallback,
        "products": [product_card(tyre, currency) for tyre in reply.products],
    }
