"""GET /analytics/conversation/{conversation_id}: one conversation and its messages, with a read key.

A router of its own so that the app includes it next to `analytics.routes.router`; it shares that
module's clock (one reading per request) and key check.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from chatlytics.access import ConversationId, ReadKey
from chatlytics.analytics.routes import ClockNow
from chatlytics.analytics.transcript import Transcript, conversation_transcript
from chatlytics.context import Context

router = APIRouter(prefix="/analytics", tags=["analytics"])


@router.get(
    "/conversation/{conversation_id:path}",
    summary="One conversation and its messages in order",
    responses={404: {"description": "no event of this conversation has been stored"}},
)
def get_conversation(
    _: ReadKey, ctx: Context, conversation_id: ConversationId, at: ClockNow
) -> Transcript:
    with ctx.db.read() as conn:
        found = conversation_transcript(conn, conversation_id, at)
    if found is None:
        raise HTTPException(
            404,
            f"unknown conversation {conversation_id!r}: no event of this conversation is stored",
        )
    return found
