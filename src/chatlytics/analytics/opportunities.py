"""Follow-up opportunities: visitors of the window worth a call, each with the reasons.

A visitor is flagged when, over the window, its engagement score (see `analytics.engagement`) is at
least `threshold` and it left no lead; or it showed interest in products at least `min_interest` times;
or in one product at least `min_repeat` times. The flags are decided in SQL, on aggregates per user;
only the flagged visitors leave the database, ranked by score (then user id, in code-point order).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection

from chatlytics.analytics.engagement import (
    COMPONENTS,
    SCORE_CAP,
    EngagementComponents,
    engagement_from,
    feedback_points,
    part,
    score_of,
    scoring_rows,
)
from chatlytics.analytics.numbers import as_int
from chatlytics.analytics.products import INTEREST, Shown, latest, product_key, shown
from chatlytics.analytics.range import Window
from chatlytics.analytics.series import in_window
from chatlytics.store.projections.rows import chunks
from chatlytics.store.schema import events

TOP = 50
PRODUCTS_EACH = 5
Reason = Literal["engaged_without_lead", "product_interest", "repeated_product_interest"]


@dataclass(frozen=True)
class Criteria:
    """When a visitor is flagged; the defaults of GET /analytics/opportunities."""

    threshold: int = 40
    min_interest: int = 3
    min_repeat: int = 2

    def __post_init__(self) -> None:
        if not (
            0 <= self.threshold <= SCORE_CAP and self.min_interest >= 1 and self.min_repeat >= 2
        ):
            raise ValueError(f"criteria out of range: {self}")


class ProductCount(BaseModel):
    product_id: str | None = Field(description="null when the product is named by its name")
    product_name: str = Field(description="as on the visitor's latest event for the product")
    interest_events: int


class Opportunity(BaseModel):
    """One visitor to follow up."""

    user_id: str
    engagement_score: int = Field(description="over the range, 0 to 100")
    engagement_components: EngagementComponents = Field(description="over the range")
    has_lead: bool = Field(description="left a lead in the range")
    product_interest: int = Field(description="product_interest events in the range")
    products: list[ProductCount] = Field(
        description=f"the products it showed interest in, most first, at most {PRODUCTS_EACH}"
    )
    reasons: list[Reason] = Field(description="why it is flagged, at least one")


class Opportunities(BaseModel):
    """GET /analytics/opportunities."""

    threshold: int
    min_interest: int
    min_repeat: int
    total_flagged: int = Field(description="visitors flagged in the range")
    opportunities: list[Opportunity] = Field(
        description=f"at most {TOP} flagged visitors, highest score first, then by user_id"
    )


def _flagged(conn: Connection, window: Window, criteria: Criteria) -> list[Any]:
    """Per flagged visitor: engagement components and score, product interest events (`interest`),
    and the most interest events for one product (`most`).

    One UNION ALL grouped by user, like the score itself: the event rows come pre-grouped per user
    and product. (Outer joins of grouped subqueries took SQLite minutes.) Feedback and product
    interest are read in one subquery, one range of the type-led events index each."""
    e = events.c
    is_interest = e.type == INTEREST
    positive, negative = feedback_points(conn)
    # Feedback falls in the group of its user without a product.
    product = sa.case((is_interest, product_key(conn)), else_=sa.null())
    per_product = (
        sa.select(
            e.user_id,
            sa.func.sum(sa.case((is_interest, 0), else_=positive)).label("positive"),
            sa.func.sum(sa.case((is_interest, 0), else_=negative)).label("negative"),
            sa.func.sum(sa.case((is_interest, 1), else_=0)).label("events"),
        )
        .where(e.type.in_((INTEREST, "feedback")), in_window(e.occurred_at, window))
        .group_by(e.user_id, product)
        .subquery("per_product")
    )
    columns = (*COMPONENTS, "interest", "most")
    pp = per_product.c
    rows = sa.union_all(
        *scoring_rows(conn, window, None, columns, feedback=False),
        part(
            pp.user_id,
            columns,
            positive_feedback=pp.positive,
            negative_feedback=pp.negative,
            interest=pp.events,
            most=pp.events,
        ),
    ).subquery("flagging")
    sums = {name: sa.func.sum(rows.c[name]) for name in COMPONENTS}
    score = score_of(sums)
    interest, most = sa.func.sum(rows.c.interest), sa.func.max(rows.c.most)
    query = (
        sa.select(
            rows.c.user_id,
            *[total.label(name) for name, total in sums.items()],
            score.label("score"),
            interest.label("interest"),
            most.label("most"),
        )
        .group_by(rows.c.user_id)
        .having(
            sa.or_(
                sa.and_(score >= criteria.threshold, sums["leads"] == 0),
                interest >= criteria.min_interest,
                most >= criteria.min_repeat,
            )
        )
    )
    return list(conn.execute(query))


def reasons(leads: int, score: int, interest: int, most: int, criteria: Criteria) -> list[Reason]:
    """Why a visitor with these figures is flagged (empty: it is not)."""
    found: list[Reason] = []
    if score >= criteria.threshold and leads == 0:
        found.append("engaged_without_lead")
    if interest >= criteria.min_interest:
        found.append("product_interest")
    if most >= criteria.min_repeat:
        found.append("repeated_product_interest")
    return found


def products_of(
    conn: Connection, window: Window, users: list[str]
) -> dict[str, list[ProductCount]]:
    """Per user, the products it showed interest in during the window, most first."""
    mine: dict[str, list[Shown]] = {user: [] for user in users}
    for ids in chunks(users):
        for item in shown(conn, window, events.c.user_id.in_(ids)):
            mine[item.user_id].append(item)
    found: dict[str, list[ProductCount]] = {}
    for user, items in mine.items():
        names = latest(items)
        listed = [
            ProductCount(
                product_id=names[key].product_id,
                product_name=names[key].product_name,
                interest_events=n,
            )
            for key, n in Counter(item.key for item in items).items()
        ]
        listed.sort(key=lambda p: (-p.interest_events, p.product_name, p.product_id or ""))
        found[user] = listed[:PRODUCTS_EACH]
    return found


def opportunities(
    conn: Connection, window: Window, criteria: Criteria | None = None
) -> Opportunities:
    """The flagged visitors of the window, highest engagement score first."""
    criteria = criteria or Criteria()
    rows = sorted(_flagged(conn, window, criteria), key=lambda r: (-as_int(r.score), r.user_id))
    top = rows[:TOP]
    products = products_of(conn, window, [row.user_id for row in top])
    chosen = []
    for row in top:
        engagement = engagement_from(row)
        interest, most = as_int(row.interest), as_int(row.most)
        leads = engagement.components.leads
        chosen.append(
            Opportunity(
                user_id=row.user_id,
                engagement_score=engagement.score,
                engagement_components=engagement.components,
                has_lead=leads > 0,
                product_interest=interest,
                products=products[row.user_id],
                reasons=reasons(leads, engagement.score, interest, most, criteria),
            )
        )
    return Opportunities(
        threshold=criteria.threshold,
        min_interest=criteria.min_interest,
        min_repeat=criteria.min_repeat,
        total_flagged=len(rows),
        opportunities=chosen,
    )
