"""Checkout: each customer's address book (orders keep a copy of the address).

Revision ID: 0012_checkout
Revises: 0011_sales
"""

import sqlalchemy as sa
from alembic import op

from configurator.store.types import UTCDateTime

revision = "0012_checkout"
down_revision = "0011_sales"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("postcode", sa.String(length=20), nullable=False),
        sa.Column("city", sa.String(length=120), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_addresses_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_addresses")),
    )
    op.create_index("ix_addresses_owner_id", "addresses", ["owner_id"])


def downgrade() -> None:
    op.drop_index("ix_addresses_owner_id", table_name="addresses")
    op.drop_table("addresses")
