"""events: lead the time index with the type, and carry the visitor

Every reader of the raw log asks for some event types in a time range. Led by the time, the index
walked every type of the range; led by the type, it is one range per type asked for. With the user
and session ids in it, a funnel's visitors come from the index alone. It replaces the (time, type)
index, so a write still maintains as many indexes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 19:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OLD = ["occurred_at", "type"]
NEW = ["type", "occurred_at", "user_id", "session_id"]


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_" + "_".join(NEW)), NEW, unique=False)
        batch_op.drop_index(batch_op.f("ix_events_" + "_".join(OLD)))


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_" + "_".join(OLD)), OLD, unique=False)
        batch_op.drop_index(batch_op.f("ix_events_" + "_".join(NEW)))
