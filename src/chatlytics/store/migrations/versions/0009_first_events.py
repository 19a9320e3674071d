"""first_events: the first event of each type per session and user, filled from the raw log

The funnel reads each visitor's first event of every step type from these rows (a month's page views
and messages were grouped per visitor before), and the raw log only for the sessions that straddle
its range's start, found by a sessions index that now carries the start beside the last activity.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 05:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

INDEX = ["type", "first_at", "user_id", "session_id"]
ACTIVE_OLD = ["last_event_at"]
ACTIVE_NEW = ["last_event_at", "started_at", "session_id"]
# The raw log's types that belong to no session (store/projections/__init__.py, SERVER_ONLY then).
SERVER_ONLY = ("performance",)


def _id() -> sa.types.TypeEngine[str]:
    return (
        sa.String(length=255)
        .with_variant(mysql.VARCHAR(collation="utf8mb4_bin", length=255), "mariadb")
        .with_variant(mysql.VARCHAR(collation="utf8mb4_bin", length=255), "mysql")
    )


def upgrade() -> None:
    firsts = op.create_table(
        "first_events",
        sa.Column("session_id", _id(), nullable=False),
        sa.Column("user_id", _id(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column(
            "first_at",
            sa.DateTime()
            .with_variant(mysql.DATETIME(fsp=6), "mariadb")
            .with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
            comment="its earliest occurred_at",
        ),
        sa.PrimaryKeyConstraint("session_id", "user_id", "type", name=op.f("pk_first_events")),
        comment="the time of the first event of each type, per session and user "
        "(store/projections/firsts.py)",
        sqlite_with_rowid=False,
    )
    assert firsts is not None
    events = sa.table(
        "events",
        sa.column("session_id", sa.String()),
        sa.column("user_id", sa.String()),
        sa.column("type", sa.String()),
        sa.column("occurred_at", sa.DateTime()),
    )
    e = events.c
    earliest = (
        sa.select(e.session_id, e.user_id, e.type, sa.func.min(e.occurred_at))
        .where(e.type.not_in(SERVER_ONLY))
        .group_by(e.session_id, e.user_id, e.type)
    )
    op.get_bind().execute(
        sa.insert(firsts).from_select(["session_id", "user_id", "type", "first_at"], earliest)
    )
    # Built after the rows are in, not row by row.
    with op.batch_alter_table("first_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_first_events_" + "_".join(INDEX)), INDEX, unique=False)
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sessions_" + "_".join(ACTIVE_NEW)), ACTIVE_NEW, unique=False
        )
        batch_op.drop_index(batch_op.f("ix_sessions_" + "_".join(ACTIVE_OLD)))


def downgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sessions_" + "_".join(ACTIVE_OLD)), ACTIVE_OLD, unique=False
        )
        batch_op.drop_index(batch_op.f("ix_sessions_" + "_".join(ACTIVE_NEW)))
    op.drop_table("first_events")
