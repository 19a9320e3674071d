"""erasures: the audit record of GDPR erasures

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 07:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erasures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "erased_at",
            sa.DateTime()
            .with_variant(mysql.DATETIME(fsp=6), "mariadb")
            .with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.Column(
            "user_hash",
            sa.String(length=64),
            nullable=False,
            comment="HMAC-SHA-256 of the user id, keyed with salt (and USER_ID_SECRET when set)",
        ),
        sa.Column("salt", sa.String(length=32), nullable=False, comment="random, one per erasure"),
        sa.Column(
            "counts", sa.Text(), nullable=False, comment="JSON object: rows removed per table"
        ),
        sa.Column("actor", sa.String(length=16), nullable=False, comment="api | cli"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasures")),
        comment="GDPR erasures carried out: the fact, without the person",
    )
    with op.batch_alter_table("erasures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_erasures_erased_at"), ["erased_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("erasures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erasures_erased_at"))
    op.drop_table("erasures")
