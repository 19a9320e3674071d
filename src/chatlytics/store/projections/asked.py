"""The question each fallback reply failed to answer: the latest user message of its conversation at
or before it (on equal times, the larger event_id).

Kept on the reply (messages.question_id, and question_key: that question's key) so that pain points
group a range's fallbacks by question from an index, instead of looking for the question of each
(a third of a second on MariaDB for a month). A later-stored user message can come before a stored
fallback; every batch re-links the fallbacks its user messages can change, so the link is a
function of the stored events, not of their arrival.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from chatlytics.events import ValidEvent
from chatlytics.events.catalogue import BotResponse
from chatlytics.store.projections.rows import IDS, chunks, in_ids
from chatlytics.store.schema import messages

m = messages.c
# A conversation's user messages, and its fallback replies with their current link.
QUESTIONS = sa.select(m.conversation_id, m.created_at, m.event_id, m.question_key).where(
    in_ids(m.conversation_id), m.message_type == "user"
)
FALLBACKS = sa.select(m.conversation_id, m.event_id, m.created_at, m.question_id).where(
    in_ids(m.conversation_id), m.message_type == "bot", m.fallback == sa.true()
)
LINK = (
    sa.update(messages)
    .where(m.event_id == sa.bindparam("reply"))
    .values(question_id=sa.bindparam("question"), question_key=sa.bindparam("key"))
)

Asked = tuple[datetime, str, int | None]  # a user message: time, event_id, key


def question_of(at: datetime, asked: list[Asked]) -> Asked | None:
    """The latest of `asked` (sorted) at or before `at`, by time then event_id; None if none is."""
    i = bisect.bisect_right(asked, at, key=lambda question: question[0])
    return asked[i - 1] if i else None


def _may_change(at: datetime, since: datetime | None) -> bool:
    """Whether a user message stored at `since` (None: any time) can come before a reply at `at`."""
    return since is None or at >= since


def _relink(conn: Connection, conversations: dict[str, datetime | None]) -> None:
    """Link again the fallbacks of `conversations` created at or after the time given (all of them
    for None), and those not linked yet."""
    updates = []
    for part in chunks(sorted(conversations)):
        replies = [
            (conversation, event_id, at, linked)
            for conversation, event_id, at, linked in conn.execute(FALLBACKS, {IDS: part})
            if linked is None or _may_change(at, conversations[conversation])
        ]
        if not replies:
            continue
        asked: dict[str, list[Asked]] = defaultdict(list)
        wanted = sorted({conversation for conversation, _, _, _ in replies})
        for conversation, at, event_id, key in conn.execute(QUESTIONS, {IDS: wanted}):
            asked[conversation].append((at, event_id, key))
        for questions in asked.values():
            questions.sort()  # by time, then event_id (unique: the key is never compared)
        for conversation, event_id, at, linked in replies:
            found = question_of(at, asked[conversation])
            question, key = (found[1], found[2]) if found else (None, None)
            if question != linked:
                updates.append({"reply": event_id, "question": question, "key": key})
    if updates:
        conn.execute(LINK, updates)


def link_fallbacks(conn: Connection, events: Iterable[ValidEvent]) -> None:
    """Link the newly stored fallback replies, and re-link the stored ones that a newly stored
    user message may now come before, inside the caller's transaction."""
    since: dict[str, datetime | None] = {}
    for e in events:
        if e.conversation_id is None:
            continue
        if e.type == "user_message":
            earlier = since.get(e.conversation_id)
            since[e.conversation_id] = (
                e.occurred_at if earlier is None else min(earlier, e.occurred_at)
            )
        elif isinstance(e.props, BotResponse) and e.props.fallback:
            since.setdefault(e.conversation_id, e.occurred_at)
    _relink(conn, since)


def relink_all(conn: Connection, conversations: Iterable[str]) -> None:
    """Link again every fallback of `conversations` (after some of their events were removed)."""
    _relink(conn, dict.fromkeys(conversations))
