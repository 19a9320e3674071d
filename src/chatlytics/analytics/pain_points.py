"""Where visitors get stuck: handover reasons, the questions the bot could not answer, questions asked
again and again, conversations left right after a fallback, and how handovers happen.

Questions are compared by their normalized text (store/projections/questions.py). The database
groups them by the key stored with each user message, a hash of that text; only the wordings of the
keys that can make the top of a list reach Python, where they are normalized and counted exactly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery

from chatlytics.analytics.handovers import IssueCount, handover_figures
from chatlytics.analytics.numbers import as_int, ratio
from chatlytics.analytics.percentiles import from_sorted
from chatlytics.analytics.range import Window
from chatlytics.analytics.series import in_window
from chatlytics.analytics.status import Clock, conversation_is_handover, is_ended
from chatlytics.store.concurrent_reads import together
from chatlytics.store.database import Database
from chatlytics.store.dialect import exact_text, keys_in
from chatlytics.store.projections.questions import normalize
from chatlytics.store.schema import conversations, human_handover, messages

TOP = 20


class Question(BaseModel):
    """A normalized question and how often it came up."""

    question: str = Field(description="the normalized text")
    count: int
    example: str = Field(description="its most frequent wording as sent (ties: code-point order)")


# A batch of question keys with their counts, largest first: those ranked after `done` (by count,
# ties ranked alike) up to `done + limit` and every key tied with the last; and the count of the
# first key after them, None if there is none.
Batch = Callable[[int, int], tuple[list[tuple[int, int]], int | None]]
# The wordings (exact texts and their counts) of some question keys.
Wordings = Callable[[list[int]], Iterable[tuple[str, int]]]


def _ranked(next_batch: Batch, wordings: Wordings, limit: int, at_least: int) -> list[Question]:
    """The `limit` most frequent normalized texts counted at least `at_least` times.

    The wordings of keys are fetched batch by batch until `limit` texts are counted more often
    than the first key left out. A key's count bounds each text under it (two texts share a key
    only if their hashes collide), so no text left out can come before those: the answer is exact.
    """
    totals: Counter[str] = Counter()
    sent: dict[str, Counter[str]] = {}
    done = 0
    while True:
        keys, following = next_batch(done, limit)
        if not keys:
            break
        for text, count in wordings([key for key, _ in keys]):
            question = normalize(text)
            totals[question] += count
            sent.setdefault(question, Counter())[text] += count
        done += len(keys)
        if (
            following is None
            or sum(t >= at_least and t > following for t in totals.values()) >= limit
        ):
            break
    kept = ((question, t) for question, t in totals.items() if t >= at_least)
    ordered = sorted(kept, key=lambda item: (-item[1], item[0]))[:limit]
    return [
        Question(
            question=question,
            count=t,
            example=min(sent[question].items(), key=lambda item: (-item[1], item[0]))[0],
        )
        for question, t in ordered
    ]


def _batch_of(counted: dict[int, int]) -> Batch:
    """`Batch` over keys counted in Python."""
    ordered = sorted(counted.items(), key=lambda item: (-item[1], item[0]))

    def next_batch(done: int, limit: int) -> tuple[list[tuple[int, int]], int | None]:
        end = done + limit
        while 0 < end < len(ordered) and ordered[end][1] == ordered[end - 1][1]:
            end += 1
        return ordered[done:end], ordered[end][1] if end < len(ordered) else None

    return next_batch


def _batch_in_sql(conn: Connection, keys: Subquery) -> Batch:
    """`Batch` over `keys` (`key`, `n`), ranked by the database: only the batch is sent."""
    k, n = keys.c.key, keys.c.n
    ranked = sa.select(
        k,
        n,
        sa.func.rank().over(order_by=n.desc()).label("place"),
        sa.func.lead(n).over(order_by=(n.desc(), k)).label("following"),
    ).subquery()
    r = ranked.c
    query = (
        sa.select(r.key, r.n, r.following)
        .where(r.place > sa.bindparam("done"), r.place <= sa.bindparam("upto"))
        .order_by(r.n.desc(), r.key)
    )

    def next_batch(done: int, limit: int) -> tuple[list[tuple[int, int]], int | None]:
        rows = conn.execute(query, {"done": done, "upto": done + limit}).all()
        following = int(rows[-1][2]) if rows and rows[-1][2] is not None else None
        return [(int(key), int(count)) for key, count, _ in rows], following

    return next_batch


class FallbackQuestions(BaseModel):
    """Fallback replies of the range grouped by the user question right before each."""

    fallbacks: int = Field(description="fallback bot replies created in the range")
    without_question: int = Field(description="of those, with no user message before them")
    by_question: list[Question]


def fallback_questions(conn: Connection, window: Window, limit: int = TOP) -> FallbackQuestions:
    """Each fallback reply of the window with the latest user message of its conversation at or
    before it (on equal times, the larger event_id), grouped by that question: the writer links
    each fallback to it and keeps its key on the reply (store/projections/asked.py)."""
    m = messages.c
    fallbacks = sa.and_(
        in_window(m.created_at, window), m.message_type == "bot", m.fallback == sa.true()
    )
    counted = sa.select(m.question_key, sa.func.count()).where(fallbacks).group_by(m.question_key)
    by_key: dict[int, int] = {}
    without = 0
    for key, n in conn.execute(counted):
        if key is None:
            without = as_int(n)
        else:
            by_key[int(key)] = as_int(n)
    q = messages.alias("q")
    content = exact_text(conn, q.c.content)
    sent = (
        sa.select(content, sa.func.count())
        .select_from(messages.join(q, q.c.event_id == m.question_id))
        .where(fallbacks, keys_in(m.question_key, "keys"))
        .group_by(content)
    )

    def wordings(keys: list[int]) -> Iterable[tuple[str, int]]:
        return [(text, as_int(n)) for text, n in conn.execute(sent, {"keys": keys})]

    return FallbackQuestions(
        fallbacks=without + sum(by_key.values()),
        without_question=without,
        by_question=_ranked(_batch_of(by_key), wordings, limit, at_least=1),
    )


def repeated_questions(conn: Connection, window: Window, limit: int = TOP) -> list[Question]:
    """User messages of the window whose normalized text was asked at least twice, by anyone."""
    m = messages.c
    asked = sa.and_(in_window(m.created_at, window), m.message_type == "user")
    keys = (
        sa.select(m.question_key.label("key"), sa.func.count().label("n"))
        .where(asked)
        .group_by(m.question_key)
        .having(sa.func.count() >= 2)
        .subquery()
    )
    content = exact_text(conn, m.content)

    def wordings(batch: list[int]) -> Iterable[tuple[str, int]]:
        sent = (
            sa.select(content, sa.func.count())
            .where(asked, keys_in(m.question_key, "keys"))
            .group_by(content)
        )
        return [(text, as_int(n)) for text, n in conn.execute(sent, {"keys": batch})]

    return _ranked(_batch_in_sql(conn, keys), wordings, limit, at_least=2)


class FallbackExits(BaseModel):
    """Conversations that ended with the bot failing to answer."""

    ended_conversations: int = Field(
        description="conversations started in the range that ended (explicitly or by timeout) "
        "without a handover"
    )
    abandoned_after_fallback: int = Field(description="of those, whose last message is a fallback")
    share: float = Field(description="abandoned_after_fallback / ended_conversations; 0 when none")


def fallback_exits(conn: Connection, window: Window, clock: Clock) -> FallbackExits:
    """Ended, not handed-over conversations of the window, and those whose last message (latest
    created_at, then largest event_id) is a fallback bot reply, as the writer folds it into each
    conversation (`ends_on_fallback`)."""
    c = conversations.c
    ended = sa.and_(
        in_window(c.started_at, window), is_ended(conversations, clock), ~conversation_is_handover()
    )
    on_fallback = sa.func.count(sa.case((c.ends_on_fallback == sa.true(), 1)))
    total, left = (
        as_int(n) for n in conn.execute(sa.select(sa.func.count(), on_fallback).where(ended)).one()
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
