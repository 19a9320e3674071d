"""GET /analytics/performance, /pain_points, /satisfaction, /roi and /capacity: HTTP in, one figure
function per endpoint, JSON out. Each needs a read key, checked before any parameter.

They take the same `from` and `to` as the other analytics routes (and `interval` where they have a
series); their own parameters are checked here, and a bad one is a 422 that names it and says why.
"""

from __future__ import annotations

import functools
import re
from typing import Annotated, Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Depends, Query
from fastapi.exceptions import RequestValidationError

from chatlytics.access import ReadKey
from chatlytics.analytics.capacity import DEFAULT_HORIZON, MAX_HORIZON, Capacity, capacity
from chatlytics.analytics.pain_points import TOP, BusinessHours, PainPoints, pain_points
from chatlytics.analytics.performance import Performance, SlowestBy, performance
from chatlytics.analytics.range import MAX_BUCKETS, bucket_count
from chatlytics.analytics.roi import Roi, RoiInputs, roi
from chatlytics.analytics.routes import ClockNow, PlainWindow, SeriesWindow
from chatlytics.analytics.satisfaction import Satisfaction, Scale, satisfaction
from chatlytics.context import Context

router = APIRouter(prefix="/analytics", tags=["analytics"])

# Amounts: finite, not negative, and small enough that no product of them overflows.
Amount = Annotated[float | None, Query(ge=0, le=1e12, allow_inf_nan=False)]


def invalid(field: str, message: str, value: Any) -> RequestValidationError:
    """A 422 naming the query parameter `field`, like FastAPI's own."""
    return RequestValidationError(
        [{"type": "value_error", "loc": ("query", field), "msg": message, "input": value}]
    )


_DAYS = re.compile(r"([0-9]{1,9})(?:-([0-9]{1,9}))?", re.ASCII)


def parse_days(text: str) -> frozenset[int]:
    """ISO weekdays from `1-5` or `1,3,6-7` (1 Monday .. 7 Sunday); ValueError if malformed."""
    days: set[int] = set()
    for part in text.split(","):
        found = _DAYS.fullmatch(part.strip())
        if found is None:
            raise ValueError(f"{part.strip()!r} is not a day (1-7) or a range of days (1-5)")
        low, high = int(found[1]), int(found[2] or found[1])
        if not 1 <= low <= high <= 7:
            raise ValueError(f"{part.strip()!r}: days run from 1 (Monday) to 7 (Sunday), in order")
        days.update(range(low, high + 1))
    return frozenset(days)


@functools.cache
def time_zones() -> frozenset[str]:
    """The IANA zone names of this system's database, less the files that are no place: the
    server's own zone (`localtime`), `Factory`, and `posixrules`. (The `posix/` and `right/` copies
    are not listed; `right/` zones would count leap seconds.)"""
    return frozenset(available_timezones() - {"localtime", "Factory", "posixrules"})


def business_hours(
    business_start: Annotated[
        int, Query(ge=0, le=23, description="opening hour, inclusive (0-23)")
    ] = 9,
    business_end: Annotated[
        int, Query(ge=1, le=24, description="closing hour, exclusive (1-24)")
    ] = 17,
    business_days: Annotated[
        str, Query(description="ISO weekdays open, 1 Monday .. 7 Sunday: `1-5`, `1,3,6-7`")
    ] = "1-5",
    business_tz: Annotated[
        str, Query(description="IANA time zone the hours are in, e.g. `Europe/Paris`")
    ] = "UTC",
) -> BusinessHours:
    if business_end <= business_start:
        raise invalid(
            "business_end",
            f"business_end ({business_end}) must be after business_start ({business_start})",
            business_end,
        )
    try:
        days = parse_days(business_days)
    except ValueError as exc:
        raise invalid("business_days", f"business_days: {exc}", business_days) from None
    if business_tz not in time_zones():
        raise invalid(
            "business_tz",
            f"business_tz: {business_tz!r} is not an IANA time zone, e.g. UTC or Europe/Paris",
            business_tz,
        ) from None
    return BusinessHours(start=business_start, end=business_end, days=days, tz=business_tz)


Hours = Annotated[BusinessHours, Depends(business_hours)]


def configured_roi(ctx: Context) -> RoiInputs:
    """The ROI_* settings: what a query parameter does not override."""
    s = ctx.settings
    return RoiInputs(
        cost_per_month=s.roi_cost_per_month,
        cost_per_conversation=s.roi_cost_per_conversation,
        lead_value=s.roi_lead_value,
        conversion_value=s.roi_conversion_value,
        currency=s.roi_currency,
    )


def roi_inputs(
    configured: Annotated[RoiInputs, Depends(configured_roi)],
    cost_per_month: Amount = None,
    cost_per_conversation: Amount = None,
    lead_value: Amount = None,
    conversion_value: Amount = None,
    currency: Annotated[str | None, Query(min_length=3, max_length=3)] = None,
) -> RoiInputs:
    if cost_per_month is not None and cost_per_conversation is not None:
        raise invalid(
            "cost_per_conversation",
            "give cost_per_month or cost_per_conversation, not both",
            cost_per_conversation,
        )
    asked = RoiInputs(cost_per_month, cost_per_conversation, lead_value, conversion_value, currency)
    return asked.over(configured)


@router.get("/performance", summary="Response times, slowest conversations, errors, health")
def get_performance(
    _: ReadKey,
    ctx: Context,
    window: SeriesWindow,
    slowest_by: Annotated[
        SlowestBy, Query(description="rank conversations by the mean or the maximum latency")
    ] = "avg",
) -> Performance:
    return performance(ctx.db, window, slowest_by)


@router.get("/pain_points", summary="Handover reasons, unanswered and repeated questions")
def get_pain_points(
    _: ReadKey,
    ctx: Context,
    window: PlainWindow,
    at: ClockNow,
    hours: Hours,
    limit: Annotated[int, Query(ge=1, le=100, description="length of the question lists")] = TOP,
) -> PainPoints:
    return pain_points(ctx.db, window, at, hours, limit)


@router.get("/satisfaction", summary="Feedback ratings and CSAT, by conversation outcome")
def get_satisfaction(
    _: ReadKey,
    ctx: Context,
    window: PlainWindow,
    at: ClockNow,
    scale: Annotated[
        Scale, Query(description="how to read a rating of 1: thumbs up, one star, or auto")
    ] = "auto",
) -> Satisfaction:
    with ctx.db.read() as conn:
        return satisfaction(conn, window, at, scale)


@router.get("/roi", summary="Cost, value and return of the chatbot")
def get_roi(
    _: ReadKey,
    ctx: Context,
    window: PlainWindow,
    at: ClockNow,
    inputs: Annotated[RoiInputs, Depends(roi_inputs)],
) -> Roi:
    with ctx.db.read() as conn:
        return roi(conn, window, at, inputs)


@router.get("/capacity", summary="Peak concurrency, weekly heatmap, growth trend")
def get_capacity(
    _: ReadKey,
    ctx: Context,
    window: PlainWindow,
    at: ClockNow,
    horizon: Annotated[
        int, Query(ge=1, le=MAX_HORIZON, description="weeks to project the trend")
    ] = DEFAULT_HORIZON,
) -> Capacity:
    weeks = bucket_count(window.start, window.end, "week")
    if weeks > MAX_BUCKETS:
        raise invalid(
            "from",
            f"from..to spans {weeks} weeks; the weekly trend covers at most {MAX_BUCKETS}",
            window.start.isoformat(),
        )
    with ctx.db.read() as conn:
        return capacity(conn, window, at, horizon)
