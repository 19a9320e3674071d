"""Satisfaction: the `feedback` ratings of the range, CSAT, and both by conversation outcome.

A rating is -1 (thumbs down), 1, or 2 to 5 (stars). Only 1 is ambiguous: a thumbs up, or one star. The
`scale` decides: `thumbs` or `stars` as asked, or `auto`, which reads 1 as one star when the range
holds any rating from 2 to 5 and as a thumbs up otherwise. Feedback is counted at the event's time and
joined to its conversation by `conversation_id`; feedback without one is counted under `unknown`.
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection

from chatlytics.analytics.numbers import as_int
from chatlytics.analytics.range import Window
from chatlytics.analytics.series import in_window
from chatlytics.analytics.status import Clock, conversation_status
from chatlytics.store.dialect import json_text
from chatlytics.store.schema import conversations, events

Scale = Literal["auto", "thumbs", "stars"]
Outcome = Literal["completed", "handover", "active", "unknown"]
OUTCOMES: tuple[Outcome, ...] = ("completed", "handover", "active", "unknown")
STARS = (1, 2, 3, 4, 5)


class Thumbs(BaseModel):
    up: int = Field(description="ratings of 1 read as a thumbs up")
    down: int = Field(description="ratings of -1")


class StarCount(BaseModel):
    stars: int
    count: int


class OutcomeSatisfaction(BaseModel):
    """The ratings given in conversations of one outcome."""

    outcome: Outcome = Field(
        description="the conversation's status now, `unknown` for feedback without conversation_id"
    )
    ratings: int
    positive: int
    csat: float | None = Field(description="positive / ratings; null without ratings")


class Satisfaction(BaseModel):
    """GET /analytics/satisfaction."""

    scale: Literal["thumbs", "stars"] = Field(description="how a rating of 1 was read")
    total_ratings: int = Field(description="feedback events of the range")
    thumbs: Thumbs
    stars: list[StarCount] = Field(
        description="ratings per number of stars, 1 to 5, zeros included"
    )
    positive: int = Field(description="thumbs up, and ratings of 4 or 5 stars")
    csat: float | None = Field(description="positive / total_ratings; null without ratings")
    by_outcome: list[OutcomeSatisfaction] = Field(
        description="completed, handover, active and unknown, in that order"
    )


def _is_positive(rating: int, scale: Literal["thumbs", "stars"]) -> bool:
    return rating >= 4 or (rating == 1 and scale == "thumbs")


def _csat(positive: int, total: int) -> float | None:
    return positive / total if total else None


def ratings_by_outcome(conn: Connection, window: Window, clock: Clock) -> Counter[tuple[int, str]]:
    """How many feedback events of the window per (rating, outcome of their conversation)."""
    e, c = events.c, conversations.c
    rating = json_text(conn, e.properties, "rating")
    outcome = sa.case(
        (c.conversation_id.is_(None), "unknown"), else_=conversation_status(clock)
    ).label("outcome")
    query = (
        sa.select(rating, outcome, sa.func.count())
        .select_from(events.outerjoin(conversations, c.conversation_id == e.conversation_id))
        .where(in_window(e.occurred_at, window), e.type == "feedback")
        .group_by(rating, outcome)
    )
    counted: Counter[tuple[int, str]] = Counter()
    for value, status, n in conn.execute(query):
        counted[int(value), status] += as_int(n)
    return counted


def satisfaction(
    conn: Connection, window: Window, clock: Clock, scale: Scale = "auto"
) -> Satisfaction:
    """The ratings of the window, CSAT, and both per conversation outcome."""
    counted = ratings_by_outcome(conn, window, clock)
    per_rating: Counter[int] = Counter()
    for (rating, _), n in counted.items():
        per_rating[rating] += n
    read_as: Literal["thumbs", "stars"] = (
        scale
        if scale != "auto"
        else ("stars" if any(per_rating[s] for s in STARS[1:]) else "thumbs")
    )
    ones_are_stars = read_as == "stars"
    positive = sum(n for r, n in per_rating.items() if _is_positive(r, read_as))
    total = per_rating.total()
    outcomes = []
    for name in OUTCOMES:
        mine = {r: n for (r, o), n in counted.items() if o == name}
        good = sum(n for r, n in mine.items() if _is_positive(r, read_as))
        ratings = sum(mine.values())
        outcomes.append(
            OutcomeSatisfaction(
                outcome=name, ratings=ratings, positive=good, csat=_csat(good, ratings)
            )
        )
    return Satisfaction(
        scale=read_as,
        total_ratings=total,
        thumbs=Thumbs(up=0 if ones_are_stars else per_rating[1], down=per_rating[-1]),
        stars=[
            StarCount(stars=s, count=per_rating[s] if s > 1 or ones_are_stars else 0) for s in STARS
        ],
        positive=positive,
        csat=_csat(positive, total),
        by_outcome=outcomes,
    )
