"""Retention: users grouped by the day or week they were first seen, and how many came back later.

A cohort is the users first seen (their earliest event) in one period of the window. A member counts
as active in a period when one of its sessions started in that period (and in the window); period 0 is
the cohort's own period. Periods are UTC days, or weeks from Monday, as in the series.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection

from chatlytics.analytics.numbers import as_int, ratio
from chatlytics.analytics.range import RangeError, Window, bucket_count
from chatlytics.analytics.series import in_window
from chatlytics.store.dialect import bucket_start, time_bucket
from chatlytics.store.schema import sessions, users

Period = Literal["day", "week"]
# A cohort table holds about n²/2 cells for n periods: a year of days, or seven years of weeks.
MAX_PERIODS = 366


class Cohort(BaseModel):
    """The users first seen in one period, and how many of them were active in each period since."""

    cohort: dt.date = Field(description="the first day of the period (a Monday for weeks)")
    size: int = Field(description="users first seen in the period (and in the range)")
    partial: bool = Field(
        description="the period begins before `from` or ends after `to`: only part of it counts"
    )
    returning: list[int] = Field(
        description="per period from the cohort's own (0) to the last one of the range: members "
        "with a session started in it"
    )
    rates: list[float] = Field(description="returning / size for each period; 0 when size is 0")


class Retention(BaseModel):
    """GET /analytics/retention."""

    period: Period
    cohorts: list[Cohort] = Field(
        description="one per period overlapping the range, oldest first, empty ones included"
    )


def check_periods(window: Window, period: Period) -> None:
    """RangeError (naming `period`) when the window holds more than MAX_PERIODS periods."""
    count = bucket_count(window.start, window.end, period)
    if count > MAX_PERIODS:
        raise RangeError(
            "period",
            f"from..to holds {count} {period} periods; at most {MAX_PERIODS} are served: use "
            + ("weeks or a shorter range" if period == "day" else "a shorter range"),
        )


def retention(conn: Connection, window: Window, period: Period = "week") -> Retention:
    """Cohorts of the users first seen in the window, and their activity in each later period."""
    check_periods(window, period)
    u, s = users.c, sessions.c
    cohort = time_bucket(conn, u.first_seen_at, period)
    newcomers = in_window(u.first_seen_at, window)
    sizes = {
        bucket_start(start): as_int(n)
        for start, n in conn.execute(
            sa.select(cohort, sa.func.count()).where(newcomers).group_by(cohort)
        )
    }
    active = time_bucket(conn, s.started_at, period)
    query = (
        sa.select(cohort, active, sa.func.count(sa.distinct(u.user_id)))
        .select_from(users.join(sessions, s.user_id == u.user_id))
        .where(newcomers, in_window(s.started_at, window))
        .group_by(cohort, active)
    )
    returning = {
        (bucket_start(first), bucket_start(later)): as_int(n)
        for first, later, n in conn.execute(query)
    }
    periods = Window(window.start, window.end, period)
    starts = periods.buckets()
    cohorts = []
    for i, first in enumerate(starts):
        size = sizes.get(first, 0)
        counts = [returning.get((first, later), 0) for later in starts[i:]]
        cohorts.append(
            Cohort(
                cohort=first.date(),
                size=size,
                partial=not periods.holds(first),
                returning=counts,
                rates=[ratio(n, size) for n in counts],
            )
        )
    return Retention(period=period, cohorts=cohorts)
