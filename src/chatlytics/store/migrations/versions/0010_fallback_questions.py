"""messages: each fallback reply names the question it failed to answer

`question_id` is the latest user message of the conversation at or before the fallback (on equal
times, the larger event_id), and the reply's `question_key` becomes that question's key, so that
pain points group a range's fallbacks by question from the (time, type, fallback, key) index. The
fallbacks stored before it are linked here, a batch of conversations at a time, with the writer's
rule (`question_of`).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 06:00:00.000000
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# The rule alone (a function of times and ids), not the writer's queries.
from chatlytics.store.projections.asked import Asked, question_of

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BATCH_CONVERSATIONS = 500
KEY_BEFORE = "user messages: 64-bit hash of the normalized text (store/projections/questions.py)"
KEY_AFTER = KEY_BEFORE + "; fallback replies: their question's"

messages = sa.table(
    "messages",
    sa.column("event_id", sa.String()),
    sa.column("conversation_id", sa.String()),
    sa.column("message_type", sa.String()),
    sa.column("created_at", sa.DateTime()),
    sa.column("fallback", sa.Boolean()),
    sa.column("question_key", sa.BigInteger()),
    sa.column("question_id", sa.String()),
)


def _backfill() -> None:
    conn = op.get_bind()
    m = messages.c
    fallback = sa.and_(m.message_type == "bot", m.fallback == sa.true())
    link = (
        sa.update(messages)
        .where(m.event_id == sa.bindparam("reply"))
        .values(question_id=sa.bindparam("question"), question_key=sa.bindparam("key"))
    )
    after: str | None = None
    while True:
        batch = sa.select(m.conversation_id).where(fallback).distinct()
        if after is not None:
            batch = batch.where(m.conversation_id > after)
        found = list(
            conn.execute(batch.order_by(m.conversation_id).limit(BATCH_CONVERSATIONS)).scalars()
        )
        if not found:
            return
        asked: dict[str, list[Asked]] = defaultdict(list)
        replies: list[tuple[str, str, datetime]] = []
        rows = sa.select(
            m.conversation_id, m.event_id, m.message_type, m.created_at, m.question_key
        ).where(m.conversation_id.in_(found), sa.or_(m.message_type == "user", fallback))
        for conversation, event_id, kind, at, key in conn.execute(rows):
            if kind == "user":
                asked[conversation].append((at, event_id, key))
            else:
                replies.append((conversation, event_id, at))
        for questions in asked.values():
            questions.sort(key=lambda question: (question[0], question[1]))
        links = []
        for conversation, event_id, at in replies:
            question = question_of(at, asked[conversation])
            if question is not None:
                links.append({"reply": event_id, "question": question[1], "key": question[2]})
        if links:
            conn.execute(link, links)
        after = found[-1]


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "question_id",
                sa.String(length=128)
                .with_variant(mysql.VARCHAR(collation="utf8mb4_bin", length=128), "mariadb")
                .with_variant(mysql.VARCHAR(collation="utf8mb4_bin", length=128), "mysql"),
                nullable=True,
                comment="fallback replies: the user message right before "
                "(store/projections/asked.py)",
            )
        )
        batch_op.alter_column(
            "question_key",
            existing_type=sa.BigInteger(),
            existing_nullable=True,
            comment=KEY_AFTER,
            existing_comment=KEY_BEFORE,
        )
    _backfill()


def downgrade() -> None:
    conn = op.get_bind()
    m = messages.c
    conn.execute(sa.update(messages).where(m.message_type == "bot").values(question_key=None))
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.alter_column(
            "question_key",
            existing_type=sa.BigInteger(),
            existing_nullable=True,
            comment=KEY_BEFORE,
            existing_comment=KEY_AFTER,
        )
        batch_op.drop_column("question_id")
