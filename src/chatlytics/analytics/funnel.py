"""The funnel: how many visitors (or sessions) go through a sequence of event types, and how fast.

A visitor's path starts at one of its first-step events in the window; each later step is the visitor's
earliest event of that type at or after the previous step (and, with `within`, at most `within` after
the path's first step). Of the paths a visitor has, the funnel keeps the one that gets furthest, the
earliest such when several do; without `within` that is the path from the visitor's first first-step
event.

SQL has no portable "first event after that one", and fetching every step event of a million-event
window costs seconds, so the work is split. The writer keeps the first event of each type per session
(store/projections/firsts.py): a grouped read of those per step type gives each visitor's first event
of that type in the window (the sessions straddling its start are read from the raw log). When those
come in step order (within `within`), they are the visitor's path. Only the visitors for whom they do
not decide it have their step events fetched and followed here.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from chatlytics.analytics import fetch
from chatlytics.analytics.numbers import ratio
from chatlytics.analytics.percentiles import interpolate
from chatlytics.analytics.range import Window
from chatlytics.analytics.series import in_window
from chatlytics.events.validate import TYPE_PATTERN
from chatlytics.store.concurrent_reads import each
from chatlytics.store.database import Database
from chatlytics.store.dialect import fetched_time
from chatlytics.store.projections.rows import chunks
from chatlytics.store.schema import events, first_events, sessions

FunnelBy = Literal["user", "session"]
DEFAULT_STEPS = ("page_view", "widget_open", "user_message", "lead_submitted", "conversion")
MIN_STEPS = 2
MAX_STEPS = 8
# Beyond this many undecided visitors, one pass over the window beats looking each one up.
FETCH_ALL_ABOVE = 10_000


class StepsError(ValueError):
    """The `steps` asked for cannot make a funnel; the message says why."""


class FunnelStep(BaseModel):
    """One step of the funnel."""

    name: str = Field(description="the event type of the step")
    count: int = Field(description="visitors (or sessions) that reached the step")
    conversion_rate: float | None = Field(
        description="count / the previous step's count (0 when that is 0); null for the first step"
    )
    median_seconds_from_previous: float | None = Field(
        description="median time from the previous step to this one over the visitors that reached "
        "it; null for the first step and when nobody reached it"
    )


class Funnel(BaseModel):
    """GET /analytics/funnel."""

    by: FunnelBy = Field(description="what is counted: `user` (visitors) or `session`")
    window_seconds: int | None = Field(
        description="every step must come at most this long after the first step; null: no limit"
    )
    steps: list[FunnelStep]


def parse_steps(text: str | None) -> tuple[str, ...]:
    """The step types of a comma-separated list (DEFAULT_STEPS when None); StepsError if unusable."""
    if text is None:
        return DEFAULT_STEPS
    names = tuple(part.strip() for part in text.split(",")) if text.strip() else ()
    if not MIN_STEPS <= len(names) <= MAX_STEPS:
        raise StepsError(
            f"steps: {len(names)} given; a funnel has {MIN_STEPS} to {MAX_STEPS} event types, "
            "separated by commas"
        )
    for name in names:
        if not TYPE_PATTERN.fullmatch(name):
            raise StepsError(
                f"steps: {name!r} is not an event type (a lower-case letter, then up to 63 of "
                "a-z, 0-9, _ and .)"
            )
        if name == "performance":
            raise StepsError("steps: performance events belong to no visitor")
        if names.count(name) > 1:
            raise StepsError(f"steps: {name!r} is given twice; each step is a different type")
    return names


def best_path(times: Sequence[Sequence[datetime]], within: timedelta | None) -> list[datetime]:
    """The times of the steps a visitor reached; `times[i]` is its step-i event times, ascending."""
    best: list[datetime] = []
    starts = times[0] if within is not None else times[0][:1]
    for start in starts:
        path = [start]
        limit = start + within if within is not None else None
        for later in times[1:]:
            i = bisect_left(later, path[-1])
            if i == len(later) or (limit is not None and later[i] > limit):
                break
            path.append(later[i])
        if len(path) > len(best):
            best = path
            if len(best) == len(times):
                break
    return best


def median(values: list[float]) -> float | None:
    """The median as percentile_cont(0.5), None when there are no values."""
    if not values:
        return None
    ordered = sorted(values)
    middle = (len(ordered) - 1) / 2
    below = int(middle)
    if below == middle:
        return ordered[below]
    return interpolate(ordered[below], ordered[below + 1], middle - below)


def _visitor(by: FunnelBy) -> ColumnElement[str]:
    return events.c.user_id if by == "user" else events.c.session_id


def _step_events(window: Window, steps: Sequence[str]) -> ColumnElement[bool]:
    e = events.c
    return sa.and_(in_window(e.occurred_at, window), e.type.in_(steps))


def step_firsts(
    conn: Connection, window: Window, step: str, by: FunnelBy
) -> Sequence[tuple[str, datetime | str | int]]:
    """Per visitor whose sessions' first `step` event falls in the window, the earliest of those
    (see fetch.as_time): one range of the first_events index, and nothing else."""
    f = first_events.c
    who = f.user_id if by == "user" else f.session_id
    query = (
        sa.select(who, fetched_time(conn, sa.func.min(f.first_at)))
        .where(f.type == step, in_window(f.first_at, window))
        .group_by(who)
    )
    return fetch.tuples(conn, query)


def straddling_firsts(
    conn: Connection, window: Window, steps: Sequence[str], by: FunnelBy
) -> Sequence[tuple[int, str, datetime]]:
    """(step, visitor, time) of the first step events in the window of the sessions that began
    before it and were still active at its start: for those, first_events keeps an earlier one."""
    s, e = sessions.c, events.c
    straddling = sa.select(s.session_id).where(
        s.last_event_at >= window.start, s.started_at < window.start
    )
    position = {name: i for i, name in enumerate(steps)}
    who = _visitor(by)
    first: dict[tuple[int, str], datetime] = {}
    for part in chunks(list(conn.execute(straddling).scalars())):
        # By session alone (its index): these sessions hold few events, the steps many.
        query = sa.select(who, e.type, e.occurred_at).where(e.session_id.in_(part))
        for key, kind, at in conn.execute(query):
            i = position.get(kind)
            if i is not None and window.start <= at < window.end:
                first[(i, key)] = min(first.get((i, key), at), at)
    return [(i, key, at) for (i, key), at in first.items()]


def first_times(
    db: Database, window: Window, steps: Sequence[str], by: FunnelBy
) -> dict[str, list[datetime | None]]:
    """Per visitor with a step event in the window: its first event of each step type (or None).
    The steps, and the sessions straddling the window's start, are read at once on a server
    (store.concurrent_reads)."""
    found: dict[str, list[datetime | None]] = {}
    reads: list[Callable[[Connection], Sequence[tuple[Any, ...]]]] = [
        partial(step_firsts, window=window, step=step, by=by) for step in steps
    ]
    reads.append(partial(straddling_firsts, window=window, steps=steps, by=by))
    # On SQLite, which reads in this process, reads handing over tens of thousands of rows each
    # took longer at once than one after the other (the rows are built holding the GIL).
    *per_step, straddling = each(db, reads, at_once=db.dialect != "sqlite")
    for i, firsts in enumerate(per_step):
        keys = [key for key, _ in firsts]
        for key, first in zip(keys, fetch.as_times([at for _, at in firsts]), strict=True):
            slots = found.get(key)
            if slots is None:
                found[key] = slots = [None] * len(steps)
            slots[i] = first
    for i, key, at in straddling:
        slots = found.setdefault(key, [None] * len(steps))
        known = slots[i]
        slots[i] = at if known is None else min(known, at)
    return found


def settled_path(
    firsts: Sequence[datetime | None], within: timedelta | None
) -> list[datetime] | None:
    """The visitor's path when its first events decide it; None when its other events are needed."""
    path: list[datetime] = []
    for first in firsts:
        if first is None:  # no event of this type at all: no path goes further
            break
        if path and first < path[-1]:  # a later event of this type may still follow the path
            return None
        path.append(first)
    if within is not None and path and path[-1] - path[0] > within:
        return None
    return path


def step_times(
    conn: Connection, window: Window, steps: Sequence[str], by: FunnelBy, only: Collection[str]
) -> dict[str, list[list[datetime]]]:
    """The times of the step events of the visitors in `only`, per step, ascending."""
    e = events.c
    who = _visitor(by)
    position = {name: i for i, name in enumerate(steps)}
    found: dict[str, list[list[datetime]]] = {key: [[] for _ in steps] for key in only}
    query = sa.select(who, e.type, fetched_time(conn, e.occurred_at)).where(
        _step_events(window, steps)
    )
    # A few visitors are looked up by id; many are cheaper to pick out of one pass over the window.
    # No ORDER BY: each visitor's times are sorted here, after the fetch.
    if len(only) > FETCH_ALL_ABOVE:
        parts = [query]
    else:
        parts = [query.where(who.in_(part)) for part in chunks(sorted(only))]
    for part in parts:
        for key, kind, at in fetch.tuples(conn, part):
            times = found.get(key)
            if times is not None:
                times[position[kind]].append(fetch.as_time(at))
    for times in found.values():
        for per_step in times:
            per_step.sort()
    return found


def funnel(
    db: Database,
    window: Window,
    steps: Sequence[str] = DEFAULT_STEPS,
    *,
    by: FunnelBy = "user",
    within: timedelta | None = None,
) -> Funnel:
    """How many visitors (or sessions) reached each step in the window, and how long each step took."""
    paths: list[list[datetime]] = []
    pending: list[str] = []
    for key, firsts in first_times(db, window, steps, by).items():
        path = settled_path(firsts, within)
        if path is None:
            pending.append(key)
        else:
            paths.append(path)
    if pending:
        with db.read() as conn:
            times = step_times(conn, window, steps, by, set(pending))
        paths.extend(best_path(per_step, within) for per_step in times.values())
    gaps: list[list[float]] = [[] for _ in steps]
    for path in paths:
        for i, at in enumerate(path):
            gaps[i].append((at - path[i - 1]).total_seconds() if i else 0.0)
    counts = [len(g) for g in gaps]
    return Funnel(
        by=by,
        window_seconds=int(within.total_seconds()) if within is not None else None,
        steps=[
            FunnelStep(
                name=name,
                count=counts[i],
                conversion_rate=ratio(counts[i], counts[i - 1]) if i else None,
                median_seconds_from_previous=median(gaps[i]) if i else None,
            )
            for i, name in enumerate(steps)
        ],
    )
