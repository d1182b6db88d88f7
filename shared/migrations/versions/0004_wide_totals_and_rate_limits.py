"""64-bit order totals, and rate-limit counters

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.models.base import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot ALTER a column's type in place, so Alembic copies the table.
    with op.batch_alter_table("orders") as table:
        table.alter_column("total_cents", type_=sa.BigInteger(), existing_nullable=False)
    with op.batch_alter_table("order_lines") as table:
        table.alter_column("line_total_cents", type_=sa.BigInteger(), existing_nullable=False)
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(320), nullable=False),
        sa.Column("window_started_at", UTCDateTime(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_rate_limits"),
    )
    op.create_index("ix_rate_limits_window_started_at", "rate_limits", ["window_started_at"])


def downgrade() -> None:
    op.drop_table("rate_limits")
    with op.batch_alter_table("order_lines") as table:
        table.alter_column("line_total_cents", type_=sa.Integer(), existing_nullable=False)
    with op.batch_alter_table("orders") as table:
        table.alter_column("total_cents", type_=sa.Integer(), existing_nullable=False)
