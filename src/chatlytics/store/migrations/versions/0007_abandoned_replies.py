"""messages: each bot reply says whether the visitor left right after it

`abandoned` is set when a widget_close of the session comes within 60 s at or after the reply with
no user message in between (store/projections/abandonment.py), so that the performance figures
count abandoned replies with the replies, from the index that already serves them, which now
covers the flag too. The flags of the replies stored before it are derived here, session by
session, with the writer's own rule (`abandoned`, a function of times).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 03:00:00.000000
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from alembic import op

# The rule alone (a function of times), not the writer's queries, which follow today's schema.
from chatlytics.store.projections.abandonment import abandoned

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OLD = ["created_at", "message_type", "latency_ms", "conversation_id"]
NEW = [*OLD, "abandoned"]
NEW_NAME = "ix_messages_replies_by_time"
BATCH_SESSIONS = 2000
IN_LIST = 500  # ids per IN list, under every driver's parameter limit


closes = sa.table(
    "chatbot_close_events",
    sa.column("session_id", sa.String()),
    sa.column("closed_at", sa.DateTime()),
)
messages = sa.table(
    "messages",
    sa.column("event_id", sa.String()),
    sa.column("session_id", sa.String()),
    sa.column("message_type", sa.String()),
    sa.column("created_at", sa.DateTime()),
    sa.column("abandoned", sa.Boolean()),
)


def _flagged(conn: sa.Connection, sessions: list[str]) -> list[str]:
    """The bot replies of `sessions` that the writer's rule flags."""
    c, m = closes.c, messages.c
    closed: dict[str, list[datetime]] = defaultdict(list)
    for session, at in conn.execute(
        sa.select(c.session_id, c.closed_at).where(c.session_id.in_(sessions))
    ):
        closed[session].append(at)
    asked: dict[str, list[datetime]] = defaultdict(list)
    replies: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
    query = sa.select(m.session_id, m.event_id, m.message_type, m.created_at).where(
        m.session_id.in_(sessions), m.message_type.in_(("user", "bot"))
    )
    for session, event_id, kind, at in conn.execute(query):
        if kind == "user":
            asked[session].append(at)
        else:
            replies[session].append((event_id, at))
    found: list[str] = []
    for session, sent in replies.items():
        flags = abandoned((at for _, at in sent), sorted(closed[session]), sorted(asked[session]))
        found.extend(event_id for (event_id, _), flag in zip(sent, flags, strict=True) if flag)
    return found


def _backfill() -> None:
    """Every session with a close, BATCH_SESSIONS at a time (only a close can flag a reply)."""
    conn = op.get_bind()
    session, m = closes.c.session_id, messages.c
    after: str | None = None
    while True:
        batch = sa.select(session).distinct()
        if after is not None:
            batch = batch.where(session > after)
        found = conn.execute(batch.order_by(session).limit(BATCH_SESSIONS)).scalars().all()
        if not found:
            return
        for start in range(0, len(found), IN_LIST):
            flagged = _flagged(conn, list(found[start : start + IN_LIST]))
            for at in range(0, len(flagged), IN_LIST):
                ids = flagged[at : at + IN_LIST]
                conn.execute(sa.update(messages).where(m.event_id.in_(ids)).values(abandoned=True))
        after = found[-1]


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "abandoned",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
                comment="bot replies: a widget_close of the session followed within 60 s, with "
                "no user message in between (store/projections/abandonment.py)",
            )
        )
    _backfill()
    # Built after the backfill, so that the updates do not maintain it row by row.
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(NEW_NAME, NEW, unique=False)
        batch_op.drop_index(batch_op.f("ix_messages_" + "_".join(OLD)))


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_messages_" + "_".join(OLD)), OLD, unique=False)
        batch_op.drop_index(NEW_NAME)
        batch_op.drop_column("abandoned")
