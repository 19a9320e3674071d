"""Which bot replies the visitor left: a reply is *abandoned* when a widget_close of its session comes
at or after it, within ABANDON_SECONDS, with no user message of the session in between.

The flag is stored with each bot reply (messages.abandoned), so that /analytics/performance counts
the abandoned replies of a range with the replies, from one index, instead of looking for the close
and the question around each (half a second on MariaDB for a million events). A reply's flag
depends on what its session stores after it, and the widget (closes) and the chat server (messages)
send on their own, in any order: every batch re-derives the flags its messages and closes can
change, so that the flags stay a function of the stored events, not of their arrival.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from chatlytics.events import ValidEvent
from chatlytics.store.projections.rows import IDS, chunks, in_ids
from chatlytics.store.schema import chatbot_close_events, messages

ABANDON_SECONDS = 60
REACH = timedelta(seconds=ABANDON_SECONDS)
# The events that can change a flag: the reply itself, a close after it, a question in between.
TIMED = frozenset({"bot_response", "user_message", "widget_close"})
# The times of a session that a batch stored, first and last.
Span = tuple[datetime, datetime]
# Every time a session can have: its flags re-derived whatever was stored.
WHOLE: Span = (datetime.min + REACH, datetime.max - REACH)

CLOSES = sa.select(chatbot_close_events.c.session_id, chatbot_close_events.c.closed_at).where(
    in_ids(chatbot_close_events.c.session_id)
)
MESSAGES = sa.select(
    messages.c.session_id,
    messages.c.event_id,
    messages.c.message_type,
    messages.c.created_at,
    messages.c.abandoned,
).where(in_ids(messages.c.session_id), messages.c.message_type.in_(("user", "bot")))
MESSAGES_BETWEEN = MESSAGES.where(
    messages.c.created_at >= sa.bindparam("low"), messages.c.created_at <= sa.bindparam("high")
)

SET_FLAG = (
    sa.update(messages)
    .where(in_ids(messages.c.event_id))
    .values(abandoned=sa.bindparam("flag", type_=sa.Boolean))
)


def abandoned(
    replies: Iterable[datetime], closes: list[datetime], questions: list[datetime]
) -> list[bool]:
    """For each reply time, whether the first close at or after it comes within REACH and no
    question comes strictly between the two; `closes` and `questions` sorted."""
    flags = []
    for at in replies:
        i = bisect.bisect_left(closes, at)
        if i == len(closes) or closes[i] > at + REACH:
            flags.append(False)
            continue
        j = bisect.bisect_right(questions, at)
        flags.append(j == len(questions) or questions[j] >= closes[i])
    return flags


def spans(events: Iterable[ValidEvent]) -> dict[str, Span]:
    """Per session, the first and last time of the events among `events` that can change a flag."""
    found: dict[str, Span] = {}
    for e in events:
        if e.type in TIMED:
            first, last = found.get(e.session_id, (e.occurred_at, e.occurred_at))
            found[e.session_id] = (min(first, e.occurred_at), max(last, e.occurred_at))
    return found


def _near(closes: list[datetime], span: Span) -> bool:
    """Whether a close can flag a reply of `span` or of the REACH before it (those a new close or
    question can change)."""
    first, last = span
    i = bisect.bisect_left(closes, first - REACH)
    return i < len(closes) and closes[i] <= last + REACH


def reflag(conn: Connection, changed: Mapping[str, Span], *, removed: bool = False) -> int:
    """Re-derive the flags of the replies of `changed` that what was stored at their span's times
    (or, with `removed`, taken away anywhere) can change; returns how many flags changed."""
    # The caller holds these sessions' rows locked (project_sessions): a batch storing one of them
    # meanwhile waits, then reads what this one wrote.
    flips: dict[bool, list[str]] = {True: [], False: []}
    for part in chunks(sorted(changed)):
        closes: dict[str, list[datetime]] = defaultdict(list)
        for session, at in conn.execute(CLOSES, {IDS: part}):
            closes[session].append(at)
        for times in closes.values():
            times.sort()
        if removed:  # the close that went may have been a reply's only one: every reply again
            near, read = part, conn.execute(MESSAGES, {IDS: part})
        else:  # a reply no close can reach keeps its flag: a flag needs a close
            near = [s for s in part if s in closes and _near(closes[s], changed[s])]
            if not near:
                continue
            # What the replies of the spans depend on lies within REACH after them.
            low = min(changed[s][0] for s in near) - REACH
            high = max(changed[s][1] for s in near) + REACH
            read = conn.execute(MESSAGES_BETWEEN, {IDS: near, "low": low, "high": high})
        questions: dict[str, list[datetime]] = defaultdict(list)
        replies: dict[str, list[tuple[str, datetime, bool]]] = defaultdict(list)
        for session, event_id, kind, at, flag in read:
            if kind == "user":
                questions[session].append(at)
            elif changed[session][0] - REACH <= at <= changed[session][1]:
                # Only the replies of the session's own span: the rows read may not hold what
                # comes after a reply outside it.
                replies[session].append((event_id, at, bool(flag)))
        for session, found in replies.items():
            flags = abandoned(
                (at for _, at, _ in found), closes[session], sorted(questions[session])
            )
            for (event_id, _, was), flag in zip(found, flags, strict=True):
                if flag != was:
                    flips[flag].append(event_id)
    # One statement per flag value and chunk: an executemany of updates is a round trip per row.
    for flag, ids in flips.items():
        for ids_part in chunks(ids):
            conn.execute(SET_FLAG, {IDS: ids_part, "flag": flag})
    return sum(map(len, flips.values()))


def flag_abandoned(conn: Connection, events: Iterable[ValidEvent]) -> None:
    """Re-derive the flags that newly stored `events` can change, inside the caller's transaction."""
    reflag(conn, spans(events))


def reflag_all(conn: Connection, sessions: Iterable[str]) -> None:
    """Re-derive every flag of `sessions` (after some of their events were removed)."""
    reflag(conn, dict.fromkeys(sessions, WHOLE), removed=True)
