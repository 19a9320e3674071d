"""hourly_event_counts: stored events per hour and type, filled from the raw log

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from chatlytics.store.dialect import bucket_start, time_bucket

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INSERT_ROWS = 5000


def upgrade() -> None:
    counts = op.create_table(
        "hourly_event_counts",
        sa.Column(
            "hour",
            sa.DateTime()
            .with_variant(mysql.DATETIME(fsp=6), "mariadb")
            .with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
            comment="start of the hour (UTC)",
        ),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "type", name=op.f("pk_hourly_event_counts")),
        comment="stored events per hour of occurred_at and type, kept with the raw log",
    )
    assert counts is not None
    conn = op.get_bind()
    events = sa.table("events", sa.column("occurred_at", sa.DateTime()), sa.column("type"))
    hour = time_bucket(conn, events.c.occurred_at, "hour")
    grouped = sa.select(hour, events.c.type, sa.func.count()).group_by(hour, events.c.type)
    rows = [
        {"hour": bucket_start(at), "type": kind, "count": int(n)}
        for at, kind, n in conn.execute(grouped)
    ]
    for start in range(0, len(rows), INSERT_ROWS):
        conn.execute(sa.insert(counts), rows[start : start + INSERT_ROWS])


def downgrade() -> None:
    op.drop_table("hourly_event_counts")
