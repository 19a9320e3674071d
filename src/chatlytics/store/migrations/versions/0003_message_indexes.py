"""messages: indexes that answer the performance figures from the index alone

The bot replies of a range are read as (time, type, latency, conversation), the replies and
questions around a widget close as (session, time, type, latency), and a conversation's last
message by (conversation, time); each index replaces a narrower one that led with the same
column, so a write still maintains as many indexes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 11:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TIME = ["created_at", "message_type", "latency_ms", "conversation_id"]
SESSION = ["session_id", "created_at", "message_type", "latency_ms"]
CONVERSATION = ["conversation_id", "created_at"]


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_messages_" + "_".join(TIME)), TIME, unique=False)
        batch_op.create_index(batch_op.f("ix_messages_" + "_".join(SESSION)), SESSION, unique=False)
        batch_op.create_index(
            batch_op.f("ix_messages_" + "_".join(CONVERSATION)), CONVERSATION, unique=False
        )
        batch_op.drop_index(batch_op.f("ix_messages_created_at_message_type"))
        batch_op.drop_index(batch_op.f("ix_messages_session_id"))
        batch_op.drop_index(batch_op.f("ix_messages_conversation_id"))


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_messages_created_at_message_type"),
            ["created_at", "message_type"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_messages_session_id"), ["session_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_messages_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.drop_index(batch_op.f("ix_messages_" + "_".join(CONVERSATION)))
        batch_op.drop_index(batch_op.f("ix_messages_" + "_".join(SESSION)))
        batch_op.drop_index(batch_op.f("ix_messages_" + "_".join(TIME)))
