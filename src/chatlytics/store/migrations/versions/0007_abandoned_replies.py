"""messages: each bot reply says whether the visitor left right after it

`abandoned` is set when a widget_close of the session comes within 60 s at or after the reply with
no user message in between (store/projections/abandonment.py), so that the performance figures
count abandoned replies with the replies, from the index that already serves them, which now
covers the flag too. The flags of the replies stored before it are derived here, session by
session, with the writer's own rule.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from chatlytics.store.projections.abandonment import WHOLE, reflag

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OLD = ["created_at", "message_type", "latency_ms", "conversation_id"]
NEW = [*OLD, "abandoned"]
NEW_NAME = "ix_messages_replies_by_time"
BATCH_SESSIONS = 2000


def _backfill() -> None:
    """Every session with a close, BATCH_SESSIONS at a time (only a close can flag a reply)."""
    conn = op.get_bind()
    closes = sa.table("chatbot_close_events", sa.column("session_id", sa.String()))
    session = closes.c.session_id
    after: str | None = None
    while True:
        batch = sa.select(session).distinct()
        if after is not None:
            batch = batch.where(session > after)
        found = conn.execute(batch.order_by(session).limit(BATCH_SESSIONS)).scalars().all()
        if not found:
            return
        reflag(conn, dict.fromkeys(found, WHOLE))
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
