"""Deliveries: each subscription order's deliveries on their schedule.

Revision ID: 0016_deliveries
Revises: 0015_order_numbers
"""

import sqlalchemy as sa
from alembic import op

from configurator.store.types import Money, UTCDateTime

revision = "0016_deliveries"
down_revision = "0015_order_numbers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount", Money(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_deliveries_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("order_id", "number", name=op.f("uq_deliveries_order_id")),
    )
    op.create_index("ix_deliveries_status_due_on", "deliveries", ["status", "due_on"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_status_due_on", table_name="deliveries")
    op.drop_table("deliveries")
