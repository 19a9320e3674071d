"""One conversation's transcript: the conversation as /analytics/conversations lists it, and its messages.

The messages are those whose own event names the conversation (see `analytics.messages`), in the order
they were created, ties broken by `event_id`. A very long conversation is cut to its latest
TRANSCRIPT_LIMIT messages, and `truncated` says so.
"""

from __future__ import annotations

from pydantic import Field
from sqlalchemy.engine import Connection

from chatlytics.analytics.conversations import ConversationRow, conversation_rows
from chatlytics.analytics.messages import MessageRow, message_rows
from chatlytics.analytics.status import Clock
from chatlytics.store.schema import conversations, messages

TRANSCRIPT_LIMIT = 2000


class Transcript(ConversationRow):
    """GET /analytics/conversation/{conversation_id}."""

    messages: list[MessageRow] = Field(
        description="the conversation's messages, oldest first (created_at, then event_id); "
        f"the latest {TRANSCRIPT_LIMIT} when there are more"
    )
    truncated: bool = Field(
        description=f"the conversation has more than {TRANSCRIPT_LIMIT} messages; "
        "the earliest are left out"
    )


def conversation_transcript(
    conn: Connection, conversation_id: str, clock: Clock, *, limit: int = TRANSCRIPT_LIMIT
) -> Transcript | None:
    """The conversation and its messages in order; None if no event names this conversation."""
    found = conversation_rows(
        conn, conversations.c.conversation_id == conversation_id, clock, limit=1
    )
    if not found:
        return None
    # message_rows gives newest first; one extra row tells whether the earliest were cut.
    newest = message_rows(conn, messages.c.conversation_id == conversation_id, limit=limit + 1)
    return Transcript(
        **found[0].model_dump(),
        messages=newest[:limit][::-1],
        truncated=len(newest) > limit,
    )
