"""Follow-up opportunities: visitors of the window worth a call, each with the reasons.

A visitor is flagged when, over the window, its engagement score (see `analytics.engagement`) is at
least `threshold` and it left no lead; or it showed interest in products at least `min_interest` times;
or in one product at least `min_repeat` times. The database sums what each visitor did (`tallies`);
the flags and the score are decided here, ranked by score (then user id, in code-point order).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from chatlytics.analytics import fetch
from chatlytics.analytics.engagement import (
    COMPONENTS,
    SCORE_CAP,
    EngagementComponents,
    feedback_points,
    points,
)
from chatlytics.analytics.products import INTEREST, Shown, latest, product_key, shown
from chatlytics.analytics.range import Window
from chatlytics.analytics.series import in_window
from chatlytics.store.concurrent_reads import together
from chatlytics.store.database import Database
from chatlytics.store.projections.rows import chunks
from chatlytics.store.schema import events, lead_analytics, sessions

TOP = 50
NOTHING = (0, 0, 0, 0)  # no feedback, no product interest
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


class Tally(NamedTuple):
    """What one visitor did in the window: the engagement components (COMPONENTS, in order), its
    product_interest events, and the most of them for one product."""

    sessions: int
    session_seconds: int
    user_messages: int
    leads: int
    positive_feedback: int
    negative_feedback: int
    interest: int
    most: int

    @property
    def components(self) -> EngagementComponents:
        return EngagementComponents(**dict(zip(COMPONENTS, self, strict=False)))


def _total(column: ColumnElement[Any]) -> ColumnElement[int]:
    """SUM as an integer, 0 for none: PostgreSQL and MariaDB hand a SUM back as a Decimal, whose
    conversion cost more than the reads themselves, over a month's visitors."""
    return sa.cast(sa.func.coalesce(sa.func.sum(column), 0), sa.BigInteger)


def _sessions(conn: Connection, window: Window) -> Sequence[Any]:
    s = sessions.c
    query = (
        sa.select(
            s.user_id, sa.func.count(), _total(s.active_seconds), _total(s.user_message_count)
        )
        .where(in_window(s.started_at, window))
        .group_by(s.user_id)
    )
    return fetch.tuples(conn, query)


def _leads(conn: Connection, window: Window) -> Sequence[Any]:
    q = lead_analytics.c
    query = (
        sa.select(q.user_id, sa.func.count())
        .where(in_window(q.created_at, window))
        .group_by(q.user_id)
    )
    return fetch.tuples(conn, query)


def _feedback_and_interest(conn: Connection, window: Window) -> Sequence[Any]:
    """Per user and product: positive and negative feedback, and interest events. Feedback falls
    in the group of its user without a product; one range of the type-led events index each."""
    e = events.c
    is_interest = e.type == INTEREST
    positive, negative = feedback_points(conn)
    product = sa.case((is_interest, product_key(conn)), else_=sa.null())
    query = (
        sa.select(
            e.user_id,
            _total(sa.case((is_interest, 0), else_=positive)),
            _total(sa.case((is_interest, 0), else_=negative)),
            _total(sa.case((is_interest, 1), else_=0)),
        )
        .where(e.type.in_((INTEREST, "feedback")), in_window(e.occurred_at, window))
        .group_by(e.user_id, product)
    )
    return fetch.tuples(conn, query)


def tallies(db: Database, window: Window) -> dict[str, Tally]:
    """Per visitor with anything that scores or any product interest in the window, its tally.

    Three reads grouped per user (and product), run at once and summed here: one grouped UNION
    ALL of them, as the score was once computed, made MariaDB materialize and sort a derived
    table, a second for a month."""
    visits, leads, feedback = together(
        db,
        lambda conn: _sessions(conn, window),
        lambda conn: _leads(conn, window),
        lambda conn: _feedback_and_interest(conn, window),
    )
    leads_of = dict(leads)
    rated: dict[str, list[int]] = {}  # positive, negative, interest, most for one product
    for user, good, bad, shown_here in feedback:
        sums = rated.get(user)
        if sums is None:
            rated[user] = [good, bad, shown_here, shown_here]
        else:
            sums[0] += good
            sums[1] += bad
            sums[2] += shown_here
            sums[3] = max(sums[3], shown_here)
    # Each visitor taken out of the later maps as it is met: what is left had no session.
    found = {
        user: Tally(n, seconds, messages, leads_of.pop(user, 0), *rated.pop(user, NOTHING))
        for user, n, seconds, messages in visits
    }
    for user, n in leads_of.items():
        found[user] = Tally(0, 0, 0, n, *rated.pop(user, NOTHING))
    for user, sums in rated.items():
        found[user] = Tally(0, 0, 0, 0, *sums)
    return found


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


def opportunities(db: Database, window: Window, criteria: Criteria | None = None) -> Opportunities:
    """The flagged visitors of the window, highest engagement score first."""
    criteria = criteria or Criteria()
    flagged = []
    for user, tally in tallies(db, window).items():
        score = points(*tally[: len(COMPONENTS)])
        why = reasons(tally.leads, score, tally.interest, tally.most, criteria)
        if why:
            flagged.append((score, user, tally, why))
    flagged.sort(key=lambda item: (-item[0], item[1]))
    top = flagged[:TOP]
    with db.read() as conn:
        products = products_of(conn, window, [user for _, user, *_ in top])
    return Opportunities(
        threshold=criteria.threshold,
        min_interest=criteria.min_interest,
        min_repeat=criteria.min_repeat,
        total_flagged=len(flagged),
        opportunities=[
            Opportunity(
                user_id=user,
                engagement_score=score,
                engagement_components=tally.components,
                has_lead=tally.leads > 0,
                product_interest=tally.interest,
                products=products[user],
                reasons=why,
            )
            for score, user, tally, why in top
        ],
    )
