"""Guest carts: a shopper without an account keeps several configured products for
one checkout (`services/guest_carts.py`).

Revision ID: 0026_guest_carts
Revises: 0025_claim_links
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from configurator.store.types import UTCDateTime

revision = "0026_guest_carts"
down_revision = "0025_claim_links"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "guest_carts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guest_carts")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_guest_carts_token_hash")),
    )
    op.create_index(op.f("ix_guest_carts_changed_at"), "guest_carts", ["changed_at"])
    op.create_table(
        "guest_cart_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cart_id", sa.Integer(), nullable=False),
        sa.Column("catalog_id", sa.String(length=64), nullable=False),
        sa.Column("catalog_version_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("selection", JSON, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cart_id"], ["guest_carts.id"],
                                name=op.f("fk_guest_cart_items_cart_id_guest_carts"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["catalog_version_id"], ["catalog_versions.id"],
                                name=op.f("fk_guest_cart_items_catalog_version_id_catalog_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guest_cart_items")),
    )
    op.create_index(op.f("ix_guest_cart_items_cart_id"), "guest_cart_items", ["cart_id"])


def downgrade() -> None:
    op.drop_table("guest_cart_items")
    op.drop_table("guest_carts")
