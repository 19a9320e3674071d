"""conversations: their latest message, and whether it is a fallback bot reply

The writer folds each conversation's latest message (latest created_at, then largest event_id) into
its row, as it folds its first and last event, so that "conversations that ended on a fallback"
(/analytics/pain_points) is counted from the conversations alone, not by finding the last message
of each. The rows stored before it are filled here from their messages, a batch of conversations
at a time.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 04:00:00.000000
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH_CONVERSATIONS = 500

conversations = sa.table(
    "conversations",
    sa.column("conversation_id", sa.String()),
    sa.column("last_message_at", sa.DateTime()),
    sa.column("last_message_event_id", sa.String()),
    sa.column("ends_on_fallback", sa.Boolean()),
)
messages = sa.table(
    "messages",
    sa.column("conversation_id", sa.String()),
    sa.column("event_id", sa.String()),
    sa.column("message_type", sa.String()),
    sa.column("created_at", sa.DateTime()),
    sa.column("fallback", sa.Boolean()),
)


def _backfill() -> None:
    conn = op.get_bind()
    c, m = conversations.c, messages.c
    update = (
        sa.update(conversations)
        .where(c.conversation_id == sa.bindparam("id"))
        .values(
            last_message_at=sa.bindparam("at"),
            last_message_event_id=sa.bindparam("event"),
            ends_on_fallback=sa.bindparam("fallback"),
        )
    )
    after: str | None = None
    while True:
        batch = sa.select(c.conversation_id)
        if after is not None:
            batch = batch.where(c.conversation_id > after)
        ids = conn.execute(batch.order_by(c.conversation_id).limit(BATCH_CONVERSATIONS)).scalars()
        found = list(ids)
        if not found:
            return
        latest: dict[str, tuple[datetime, str, bool]] = {}
        query = sa.select(m.conversation_id, m.created_at, m.event_id, m.message_type, m.fallback)
        for conversation, at, event_id, kind, fallback in conn.execute(
            query.where(m.conversation_id.in_(found))
        ):
            candidate = (at, event_id, kind == "bot" and bool(fallback))
            if conversation not in latest or candidate[:2] > latest[conversation][:2]:
                latest[conversation] = candidate
        if latest:
            conn.execute(
                update,
                [
                    {"id": key, "at": at, "event": event_id, "fallback": fallback}
                    for key, (at, event_id, fallback) in latest.items()
                ],
            )
        after = found[-1]


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "last_message_at",
                sa.DateTime()
                .with_variant(mysql.DATETIME(fsp=6), "mariadb")
                .with_variant(mysql.DATETIME(fsp=6), "mysql"),
                nullable=True,
                comment="its latest message (migration 0008)",
            )
        )
        batch_op.add_column(
            sa.Column(
                "last_message_event_id",
                sa.String(length=128)
                .with_variant(mysql.VARCHAR(collation="utf8mb4_bin", length=128), "mariadb")
                .with_variant(mysql.VARCHAR(collation="utf8mb4_bin", length=128), "mysql"),
                nullable=True,
                comment="ties at last_message_at: the largest",
            )
        )
        batch_op.add_column(
            sa.Column(
                "ends_on_fallback",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
                comment="its latest message is a fallback bot reply",
            )
        )
    _backfill()


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("ends_on_fallback")
        batch_op.drop_column("last_message_event_id")
        batch_op.drop_column("last_message_at")
