"""Where visitors get stuck: handover reasons, the questions the bot could not answer, questions asked
again and again, conversations left right after a fallback, and how handovers happen.

Questions are compared by their normalized text (`normalize`). The database groups identical texts
first, so only the distinct texts of the range reach Python, where they are normalized and merged.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from chatlytics.analytics.handovers import IssueCount, handover_figures
from chatlytics.analytics.numbers import as_int, ratio
from chatlytics.analytics.percentiles import from_sorted
from chatlytics.analytics.range import Window
from chatlytics.analytics.series import in_window
from chatlytics.analytics.status import Clock, conversation_is_handover, is_ended
from chatlytics.store.concurrent_reads import together
from chatlytics.store.database import Database
from chatlytics.store.dialect import exact_text
from chatlytics.store.schema import conversations, human_handover, messages

TOP = 20


def normalize(text: str) -> str:
    """Lower-case, punctuation removed, white space trimmed and collapsed to single spaces."""
    kept = "".join(ch for ch in text.lower() if not unicodedata.category(ch).startswith("P"))
    return " ".join(kept.split())


class Question(BaseModel):
    """A normalized question and how often it came up."""

    question: str = Field(description="the normalized text")
    count: int
    example: str = Field(description="its most frequent wording as sent (ties: code-point order)")


def _ranked(texts: dict[str | None, int], limit: int, at_least: int = 1) -> list[Question]:
    """Exact texts and their counts merged by normalized text, most frequent first; only those
    counted `at_least` times."""
    totals: Counter[str] = Counter()
    wordings: dict[str, Counter[str]] = {}
    for text, n in texts.items():
        if text is None:
            continue
        key = normalize(text)
        totals[key] += n
        wordings.setdefault(key, Counter())[text] += n
    kept = ((key, n) for key, n in totals.items() if n >= at_least)
    ordered = sorted(kept, key=lambda item: (-item[1], item[0]))[:limit]
    return [
        Question(
            question=key,
            count=n,
            example=min(wordings[key].items(), key=lambda item: (-item[1], item[0]))[0],
        )
        for key, n in ordered
    ]


class FallbackQuestions(BaseModel):
    """Fallback replies of the range grouped by the user question right before each."""

    fallbacks: int = Field(description="fallback bot replies created in the range")
    without_question: int = Field(description="of those, with no user message before them")
    by_question: list[Question]


def fallback_questions(conn: Connection, window: Window, limit: int = TOP) -> FallbackQuestions:
    """Each fallback reply of the window with the latest user message of its conversation at or
    before it (on equal times, the larger event_id), grouped by that question."""
    m = messages.c
    asked = messages.alias("asked")
    # Cast inside: MariaDB ran the subquery twice when the grouping cast its result.
    question = (
        sa.select(exact_text(conn, asked.c.content))
        .where(
            asked.c.conversation_id == m.conversation_id,
            asked.c.message_type == "user",
            asked.c.created_at <= m.created_at,
        )
        .order_by(asked.c.created_at.desc(), asked.c.event_id.desc())
        .limit(1)
        .correlate(messages)
        .scalar_subquery()
    )
    fallbacks = (
        sa.select(question.label("question"))
        .where(in_window(m.created_at, window), m.message_type == "bot", m.fallback == sa.true())
        .subquery()
    )
    text = fallbacks.c.question
    query = sa.select(text, sa.func.count()).group_by(text)
    counted: dict[str | None, int] = {q: as_int(n) for q, n in conn.execute(query)}
    return FallbackQuestions(
        fallbacks=sum(counted.values()),
        without_question=counted.get(None, 0),
        by_question=_ranked(counted, limit),
    )


def repeated_questions(conn: Connection, window: Window, limit: int = TOP) -> list[Question]:
    """User messages of the window whose normalized text was asked at least twice, by anyone."""
    m = messages.c
    content = exact_text(conn, m.content)
    query = (
        sa.select(content, sa.func.count())
        .where(in_window(m.created_at, window), m.message_type == "user")
        .group_by(content)
    )
    counted: dict[str | None, int] = {text: as_int(n) for text, n in conn.execute(query)}
    return _ranked(counted, limit, at_least=2)


class FallbackExits(BaseModel):
    """Conversations that ended with the bot failing to answer."""

    ended_conversations: int = Field(
        description="conversations started in the range that ended (explicitly or by timeout) "
        "without a handover"
    )
    abandoned_after_fallback: int = Field(description="of those, whose last message is a fallback")
    share: float = Field(description="abandoned_after_fallback / ended_conversations; 0 when none")


def fallback_exits(conn: Connection, window: Window, clock: Clock) -> FallbackExits:
    """Ended, not handed-over conversations of the window whose last message (latest created_at,
    then largest event_id) is a fallback bot reply."""
    c, m = conversations.c, messages.c
    last_is_fallback = (
        sa.select(sa.case((sa.and_(m.message_type == "bot", m.fallback == sa.true()), 1), else_=0))
        .where(m.conversation_id == c.conversation_id)
        .order_by(m.created_at.desc(), m.event_id.desc())
        .limit(1)
        .scalar_subquery()
    )
    ended = sa.and_(
        in_window(c.started_at, window), is_ended(conversations, clock), ~conversation_is_handover()
    )
    total = as_int(conn.execute(sa.select(sa.func.count()).where(ended)).scalar_one())
    left = as_int(
        conn.execute(
            sa.select(sa.func.count()).where(ended, c.fallback_count > 0, last_is_fallback == 1)
        ).scalar_one()
    )
    return FallbackExits(
        ended_conversations=total, abandoned_after_fallback=left, share=ratio(left, total)
    )


@dataclass(frozen=True)
class BusinessHours:
    """Opening hours: [start, end) o'clock on the ISO weekdays `days` (1 Monday .. 7 Sunday)."""

    start: int = 9
    end: int = 17
    days: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    tz: str = "UTC"

    def open_at(self, moment: datetime) -> bool:
        """Whether the naive-UTC `moment` falls within these hours, in the zone `tz`."""
        local = moment.replace(tzinfo=UTC).astimezone(ZoneInfo(self.tz))
        return local.isoweekday() in self.days and self.start <= local.hour < self.end


class OpeningHours(BaseModel):
    """The business hours the handovers were compared with."""

    start: int = Field(description="opening hour, inclusive")
    end: int = Field(description="closing hour, exclusive")
    days: list[int] = Field(description="ISO weekdays: 1 Monday .. 7 Sunday")
    tz: str = Field(description="the IANA time zone of the hours")


class HandoverQuality(BaseModel):
    """How many bot replies came before a handover, and how many handovers came outside hours."""

    handover_conversations: int = Field(
        description="conversations started in the range that were handed over"
    )
    timed_handovers: int = Field(
        description="of those, with a known handover time (a handover request, or a "
        "conversation_end with status handover)"
    )
    bot_turns_mean: float | None = Field(
        description="mean number of bot replies before the handover time; null when none is timed"
    )
    bot_turns_median: float | None
    handover_requests: int = Field(description="handover requests of the range")
    outside_business_hours: int
    outside_share: float = Field(description="outside_business_hours / handover_requests")
    business_hours: OpeningHours


def _bot_turns(conn: Connection, handed: ColumnElement[bool]) -> list[int | None]:
    """For each conversation meeting `handed`, its bot replies up to its handover time (the
    earlier of its first request and a conversation_end with status handover), None if untimed.

    Those with requests are read from the requests grouped per conversation, those without
    apart: joined to the grouped requests, MariaDB compared every conversation with every group
    (it cannot index a derived table on a VARCHAR(255) key), 0.8 s for a few thousand handovers.
    """
    c, m, h = conversations.c, messages.c, human_handover.c

    def replies_until(conversation: ColumnElement[str], at: ColumnElement[datetime]) -> Any:
        return (
            sa.select(sa.func.count())
            .where(m.conversation_id == conversation, m.message_type == "bot", m.created_at <= at)
            .scalar_subquery()
        )

    ended_handover = sa.and_(c.end_status == "handover", c.ended_at.is_not(None))
    first = sa.func.min(h.requested_at)
    requested = (
        sa.select(
            c.conversation_id,
            sa.case((sa.and_(ended_handover, c.ended_at < first), c.ended_at), else_=first).label(
                "at"
            ),
        )
        .select_from(human_handover.join(conversations, c.conversation_id == h.conversation_id))
        .where(handed)
        .group_by(c.conversation_id, c.end_status, c.ended_at)
        .subquery()
    )
    r = requested.c
    turns: list[int | None] = [
        as_int(n)
        for (n,) in conn.execute(
            sa.select(replies_until(r.conversation_id, r.at)).select_from(requested)
        )
    ]
    # NOT IN, not a correlated NOT EXISTS: SQLite read every request once per conversation.
    named = sa.select(h.conversation_id).where(h.conversation_id.is_not(None))
    ended = sa.select(
        sa.case((ended_handover, replies_until(c.conversation_id, c.ended_at)), else_=sa.null())
    ).where(handed, c.conversation_id.not_in(named))
    turns += [None if n is None else as_int(n) for (n,) in conn.execute(ended)]
    return turns


def handover_quality(conn: Connection, window: Window, hours: BusinessHours) -> HandoverQuality:
    """Bot turns before each handover of the conversations of the window, and the handover
    requests of the window made outside `hours`."""
    c, h = conversations.c, human_handover.c
    turns = _bot_turns(conn, sa.and_(in_window(c.started_at, window), conversation_is_handover()))
    counts = [float(n) for n in turns if n is not None]
    times = conn.execute(
        sa.select(h.requested_at).where(in_window(h.requested_at, window))
    ).scalars()
    requests = [hours.open_at(at) for at in times]
    outside = requests.count(False)
    return HandoverQuality(
        handover_conversations=len(turns),
        timed_handovers=len(counts),
        bot_turns_mean=sum(counts) / len(counts) if counts else None,
        bot_turns_median=from_sorted(sorted(counts), 0.5),
        handover_requests=len(requests),
        outside_business_hours=outside,
        outside_share=ratio(outside, len(requests)),
        business_hours=OpeningHours(
            start=hours.start, end=hours.end, days=sorted(hours.days), tz=hours.tz
        ),
    )


class PainPoints(BaseModel):
    """GET /analytics/pain_points."""

    handover_reasons: list[IssueCount] = Field(
        description="issues named by the handover requests of the range, most frequent first"
    )
    fallback_questions: FallbackQuestions
    repeated_questions: list[Question] = Field(
        description="normalized user questions of the range asked at least twice, most first"
    )
    fallback_exits: FallbackExits
    handover_quality: HandoverQuality


def pain_points(
    db: Database,
    window: Window,
    clock: Clock,
    hours: BusinessHours = BusinessHours(),
    limit: int = TOP,
) -> PainPoints:
    """Every figure of the pain-points page; the two question groupings and the rest run at once
    (store.concurrent_reads)."""
    asked, repeated, (reasons, exits, quality) = together(
        db,
        lambda conn: fallback_questions(conn, window, limit),
        lambda conn: repeated_questions(conn, window, limit),
        lambda conn: (
            handover_figures(conn, window).by_issue,
            fallback_exits(conn, window, clock),
            handover_quality(conn, window, hours),
        ),
    )
    return PainPoints(
        handover_reasons=reasons,
        fallback_questions=asked,
        repeated_questions=repeated,
        fallback_exits=exits,
        handover_quality=quality,
    )
