"""GET /analytics/funnel, /retention, /products and /opportunities: the growth figures, with a read key.

A router of its own, included by the app next to `analytics.routes.router`, whose window, clock and
key check it shares. Handlers only turn HTTP into calls of the figure functions; a parameter that
cannot be served is a 422 naming it, with the reason.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, NoReturn

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError

from chatlytics.access import ReadKey
from chatlytics.analytics.cohorts import Period, Retention, check_periods, retention
from chatlytics.analytics.engagement import SCORE_CAP
from chatlytics.analytics.funnel import (
    DEFAULT_STEPS,
    MAX_STEPS,
    MIN_STEPS,
    Funnel,
    FunnelBy,
    StepsError,
    funnel,
    parse_steps,
)
from chatlytics.analytics.opportunities import Criteria, Opportunities, opportunities
from chatlytics.analytics.products import ProductFigures, product_figures
from chatlytics.analytics.range import RangeError
from chatlytics.analytics.routes import PlainWindow
from chatlytics.context import Context

router = APIRouter(prefix="/analytics", tags=["analytics"])
MAX_WINDOW_SECONDS = 366 * 24 * 3600
MAX_COUNT = 1_000_000
DEFAULTS = Criteria()


def _invalid(field: str, message: str, value: object) -> NoReturn:
    raise RequestValidationError(
        [{"type": "value_error", "loc": ("query", field), "msg": message, "input": value}]
    )


@router.get("/funnel", summary="Visitors or sessions through a sequence of event types")
def get_funnel(
    _: ReadKey,
    ctx: Context,
    span: PlainWindow,
    steps: Annotated[
        str | None,
        Query(
            description=f"{MIN_STEPS} to {MAX_STEPS} event types, comma-separated, catalogue or "
            f"custom; default: {','.join(DEFAULT_STEPS)}",
            examples=["page_view,widget_open,lead_submitted"],
        ),
    ] = None,
    by: Annotated[
        FunnelBy, Query(description="count visitors (`user`) or sessions (`session`)")
    ] = "user",
    window: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_WINDOW_SECONDS,
            description="seconds: every step must come at most this long after the first step",
        ),
    ] = None,
) -> Funnel:
    try:
        chosen = parse_steps(steps)
    except StepsError as exc:
        _invalid("steps", str(exc), steps)
    within = timedelta(seconds=window) if window is not None else None
    return funnel(ctx.db, span, chosen, by=by, within=within)


@router.get("/retention", summary="Cohorts by first-seen day or week, and their return")
def get_retention(
    _: ReadKey,
    ctx: Context,
    span: PlainWindow,
    period: Annotated[Period, Query(description="cohort and activity period")] = "week",
) -> Retention:
    try:
        check_periods(span, period)
    except RangeError as exc:
        _invalid(exc.field, str(exc), period)
    with ctx.db.read() as conn:
        return retention(conn, span, period)


@router.get("/products", summary="Interest by product and category, and what followed")
def get_products(_: ReadKey, ctx: Context, span: PlainWindow) -> ProductFigures:
    with ctx.db.read() as conn:
        return product_figures(conn, span)


@router.get("/opportunities", summary="Visitors worth a follow-up, with the reasons")
def get_opportunities(
    _: ReadKey,
    ctx: Context,
    span: PlainWindow,
    threshold: Annotated[
        int,
        Query(ge=0, le=SCORE_CAP, description="flag visitors without a lead from this score"),
    ] = DEFAULTS.threshold,
    min_interest: Annotated[
        int,
        Query(
            ge=1, le=MAX_COUNT, description="flag visitors with this many product_interest events"
        ),
    ] = DEFAULTS.min_interest,
    min_repeat: Annotated[
        int,
        Query(
            ge=2, le=MAX_COUNT, description="flag visitors with this much interest in one product"
        ),
    ] = DEFAULTS.min_repeat,
) -> Opportunities:
    criteria = Criteria(threshold, min_interest, min_repeat)
    return opportunities(ctx.db, span, criteria)
