"""messages: a question key per user message, and an index that groups a range's questions by it

The key is a 64-bit hash of the normalized text (store/projections/questions.py), so that the
repeated and fallback questions are grouped by an integer read from the index alone, not by text
in Python; that index also finds a range's fallback replies without reading their rows, and a
second one finds the question before each (a conversation's latest user message at or before a
time) in one step. The key of every stored user message is computed here in Python, in batches by
event_id.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 00:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from chatlytics.store.projections.questions import question_key

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INDEX = ["created_at", "message_type", "fallback", "question_key"]
ASKED = ["conversation_id", "message_type", "created_at", "event_id"]
BATCH_ROWS = 5000


def _backfill() -> None:
    conn = op.get_bind()
    messages = sa.table(
        "messages",
        sa.column("event_id", sa.String()),
        sa.column("message_type", sa.String()),
        sa.column("content", sa.Text()),
        sa.column("question_key", sa.BigInteger()),
    )
    m = messages.c
    update = (
        sa.update(messages)
        .where(m.event_id == sa.bindparam("id"))
        .values(question_key=sa.bindparam("key"))
    )
    after: str | None = None
    while True:
        batch = sa.select(m.event_id, m.content).where(m.message_type == "user")
        if after is not None:
            batch = batch.where(m.event_id > after)
        rows = conn.execute(batch.order_by(m.event_id).limit(BATCH_ROWS)).all()
        if not rows:
            return
        conn.execute(
            update, [{"id": event_id, "key": question_key(text)} for event_id, text in rows]
        )
        after = rows[-1][0]


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "question_key",
                sa.BigInteger(),
                nullable=True,
                comment="user messages: 64-bit hash of the normalized text "
                "(store/projections/questions.py)",
            )
        )
    _backfill()
    # Built after the backfill, so that the updates do not maintain it row by row.
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_messages_" + "_".join(INDEX)), INDEX, unique=False)
        batch_op.create_index(batch_op.f("ix_messages_" + "_".join(ASKED)), ASKED, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_messages_" + "_".join(ASKED)))
        batch_op.drop_index(batch_op.f("ix_messages_" + "_".join(INDEX)))
        batch_op.drop_column("question_key")
