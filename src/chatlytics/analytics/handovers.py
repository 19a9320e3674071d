"""Handover figures: requests for a human, counted by `requested_at`.

`issues` is stored as a JSON list of strings. The database groups the rows by that text (the distinct
lists are few), and Python decodes each distinct list once; `by_issue` counts the handovers that name
an issue, so an issue repeated within one request counts once.
"""

from __future__ import annotations

from collections import Counter

import orjson
import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from chatlytics.analytics.numbers import as_int
from chatlytics.analytics.range import UtcTime, Window
from chatlytics.analytics.series import in_window
from chatlytics.store.dialect import exact_text
from chatlytics.store.schema import human_handover

RECENT = 20


def decode_issues(text: str | None) -> list[str]:
    """The issues of a stored row; anything that is not a JSON list of strings gives no issue."""
    try:
        value = orjson.loads(text) if text else []
    except orjson.JSONDecodeError:
        return []
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


class HandoverRow(BaseModel):
    """One request to talk to a human."""

    event_id: str
    user_id: str
    session_id: str
    conversation_id: str | None = Field(
        description="the conversation the request named, or the one of its session it was "
        "assigned to (latest started at or before it, else the first after it)"
    )
    conversation_named: bool = Field(description="the request itself named its conversation")
    issues: list[str]
    other_text: str | None
    support_option: str
    last_message: str | None
    status: str
    requested_at: UtcTime


class OptionCount(BaseModel):
    support_option: str
    count: int


class IssueCount(BaseModel):
    issue: str
    count: int = Field(description="handovers of the range that name this issue")


class HandoverFigures(BaseModel):
    """GET /analytics/human_handover."""

    total_handover: int = Field(description="handover requests of the range")
    by_support_option: list[OptionCount] = Field(description="most frequent first")
    by_issue: list[IssueCount] = Field(description="most frequent first")
    recent_handover: list[HandoverRow] = Field(
        description=f"at most {RECENT} requests of the range, newest first"
    )


def handover_rows(conn: Connection, where: ColumnElement[bool], *, limit: int) -> list[HandoverRow]:
    """Handover requests meeting `where`, newest first, at most `limit`."""
    h = human_handover.c
    query = (
        sa.select(
            h.event_id,
            h.user_id,
            h.session_id,
            h.conversation_id,
            h.conversation_named,
            h.issues,
            h.other_text,
            h.support_option,
            h.last_message,
            h.status,
            h.requested_at,
        )
        .where(where)
        .order_by(h.requested_at.desc(), h.event_id.desc())
        .limit(limit)
    )
    rows = []
    for row in conn.execute(query):
        fields = dict(row._mapping)
        fields["issues"] = decode_issues(row.issues)
        rows.append(HandoverRow.model_validate(fields))
    return rows


def _ranked(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def handover_figures(conn: Connection, window: Window) -> HandoverFigures:
    """Every figure of the handover page."""
    h = human_handover.c
    where = in_window(h.requested_at, window)
    option, listed = exact_text(conn, h.support_option), exact_text(conn, h.issues)
    options: Counter[str] = Counter()
    for name, n in conn.execute(sa.select(option, sa.func.count()).where(where).group_by(option)):
        options[name] += as_int(n)
    issues: Counter[str] = Counter()
    for text, n in conn.execute(sa.select(listed, sa.func.count()).where(where).group_by(listed)):
        for issue in set(decode_issues(text)):
            issues[issue] += as_int(n)
    return HandoverFigures(
        total_handover=options.total(),
        by_support_option=[OptionCount(support_option=k, count=n) for k, n in _ranked(options)],
        by_issue=[IssueCount(issue=k, count=n) for k, n in _ranked(issues)],
        recent_handover=handover_rows(conn, where, limit=RECENT),
    )
