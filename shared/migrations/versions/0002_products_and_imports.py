"""products and product imports

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.models.base import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _create_products()
    # The admin's user listing pages by (created_at, id); its index came with that paging.
    op.create_index("ix_users_created_at", "users", ["created_at", "id"])
    _create_product_imports()


def _create_products() -> None:
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("category", sa.String(100), nullable=True),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_products"),
        sa.UniqueConstraint("sku", name="uq_products_sku"),
        sa.CheckConstraint("price_cents >= 0", name="ck_products_price_cents_not_negative"),
        sa.CheckConstraint("stock >= 0", name="ck_products_stock_not_negative"),
    )
    op.create_index("ix_products_active_created", "products", ["is_active", "created_at", "id"])
    op.create_index("ix_products_active_price", "products", ["is_active", "price_cents", "id"])
    op.create_index(
        "ix_products_active_name", "products", ["is_active", sa.text("lower(name)"), "id"]
    )
    op.create_index("ix_products_category", "products", ["category"])


def _create_product_imports() -> None:
    op.create_table(
        "product_imports",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("s3_key", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("etag", sa.String(128), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_product_imports"),
        sa.UniqueConstraint("s3_key", name="uq_product_imports_s3_key"),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name="fk_product_imports_created_by_users",
            ondelete="SET NULL",
        ),
        sa.CheckConstraint(
            "status IN ('waiting', 'processing', 'done', 'failed')",
            name="ck_product_imports_status",
        ),
    )


def downgrade() -> None:
    op.drop_table("product_imports")
    op.drop_index("ix_users_created_at", "users")
    op.drop_table("products")
