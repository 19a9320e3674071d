"""What the database holds after a proof, against what the senders handed over and what was acked.

Events have a unique event_id, so the raw log cannot hold one twice; a retried batch counted twice
would show in the projections instead: every message event makes one messages row and adds one to its
session's and conversation's counts and to its hour's count, every lead one lead_analytics row, and so
on. Each of those is compared with the figure predicted from the events sent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from chatlytics.events import MESSAGE_TYPES
from chatlytics.store import schema
from faults.ledger import Ledger, Sent

# One row per event of the type, in the projection table.
ROWS_PER_EVENT = {
    "messages": (schema.messages, set(MESSAGE_TYPES)),
    "lead_analytics": (schema.lead_analytics, {"lead_submitted"}),
    "human_handover": (schema.human_handover, {"handover_requested"}),
    "chatbot_close_events": (schema.chatbot_close_events, {"widget_close"}),
}


@dataclass
class Audit:
    """Sent, acked and stored events, and every way the database disagrees with the senders."""

    sent: int
    acked: int
    stored: int
    lost: int  # sent, never stored
    acked_lost: int  # acknowledged by a 2xx, yet not stored: a broken promise
    strangers: int  # stored, yet never sent
    duplicated: int  # extra rows or counts, over what the events sent make
    mismatches: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Every disagreement, one line each; empty when the database holds exactly what was sent."""
        found = [
            f"{n:,} {what}"
            for n, what in (
                (self.lost, "events sent and never stored"),
                (self.acked_lost, "events acknowledged by a 2xx and not stored"),
                (self.strangers, "events stored that no sender sent"),
                (self.duplicated, "duplicated rows or counts"),
            )
            if n
        ]
        return found + self.mismatches


def _expected(sent: list[Sent]) -> dict[str, int]:
    types = Counter(s.type for s in sent)
    messages = sum(types[t] for t in MESSAGE_TYPES)
    figures = {name: sum(types[t] for t in kinds) for name, (_, kinds) in ROWS_PER_EVENT.items()}
    in_spans = [s for s in sent if s.type != "performance"]  # performance feeds no session
    figures |= {
        "sessions": len({s.session_id for s in in_spans}),
        "conversations": len({s.conversation_id for s in in_spans if s.conversation_id}),
        "sum(sessions.event_count)": len(in_spans),
        "sum(sessions.message_count)": messages,
        "sum(conversations.message_count)": messages,
        "sum(users.total_messages)": messages,
        "sum(hourly_event_counts.count)": len(sent),  # every type, performance included
    }
    return figures


def _actual(conn: sa.Connection) -> dict[str, int]:
    def scalar(query: sa.Select[Any]) -> int:
        value = conn.execute(query).scalar_one()
        return int(value or 0)

    count = sa.func.count
    figures = {
        name: scalar(sa.select(count()).select_from(t)) for name, (t, _) in ROWS_PER_EVENT.items()
    }
    figures |= {
        "sessions": scalar(sa.select(count()).select_from(schema.sessions)),
        "conversations": scalar(sa.select(count()).select_from(schema.conversations)),
        "sum(sessions.event_count)": scalar(sa.select(sa.func.sum(schema.sessions.c.event_count))),
        "sum(sessions.message_count)": scalar(
            sa.select(sa.func.sum(schema.sessions.c.message_count))
        ),
        "sum(conversations.message_count)": scalar(
            sa.select(sa.func.sum(schema.conversations.c.message_count))
        ),
        "sum(users.total_messages)": scalar(sa.select(sa.func.sum(schema.users.c.total_messages))),
        "sum(hourly_event_counts.count)": scalar(
            sa.select(sa.func.sum(schema.hourly_event_counts.c.count))
        ),
    }
    return figures


def audit(database_url: str, ledger: Ledger) -> Audit:
    """Read the whole database once the senders are done and the collector has stopped."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            ids = list(conn.execute(sa.select(schema.events.c.event_id)).scalars())
            actual = _actual(conn)
            refused = int(
                conn.execute(
                    sa.select(sa.func.count()).select_from(schema.failed_events)
                ).scalar_one()
            )
    finally:
        engine.dispose()
    stored = set(ids)
    sent = set(ledger.sent)
    expected = _expected(list(ledger.sent.values()))
    result = Audit(
        sent=len(sent),
        acked=len(ledger.acked),
        stored=len(ids),
        lost=len(sent - stored),
        acked_lost=len(ledger.acked - stored),
        strangers=len(stored - sent),
        duplicated=len(ids) - len(stored),
    )
    for name, want in expected.items():
        got = actual[name]
        result.duplicated += max(0, got - want)
        if got != want:
            result.mismatches.append(f"{name}: {got:,} in the database, {want:,} expected")
    if refused:
        result.mismatches.append(f"failed_events holds {refused:,} rejected events, expected none")
    if ledger.dropped:
        result.mismatches.append(f"the SDK dropped {ledger.dropped:,} events at track()")
    result.mismatches.extend(ledger.refused[:5])
    if len(ledger.refused) > 5:
        result.mismatches.append(f"... {len(ledger.refused) - 5:,} more events refused")
    return result
