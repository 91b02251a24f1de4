"""Customer value: revenue, margin, RFM scores, lifetime value and tier per customer.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from configurator.store.types import Money, UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_values",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("revenue", Money(), nullable=False),
        sa.Column("margin", Money(), nullable=True),
        sa.Column("order_count", sa.Integer(), nullable=False),
        sa.Column("first_order_at", UTCDateTime(), nullable=True),
        sa.Column("last_order_at", UTCDateTime(), nullable=True),
        sa.Column("recency_score", sa.Integer(), nullable=False),
        sa.Column("frequency_score", sa.Integer(), nullable=False),
        sa.Column("monetary_score", sa.Integer(), nullable=False),
        sa.Column("lifetime_value", Money(), nullable=True),
        sa.Column("tier", sa.String(length=32), nullable=True),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["users.id"],
            name=op.f("fk_customer_values_customer_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_values")),
    )
    with op.batch_alter_table("customer_values", schema=None) as batch_op:
        batch_op.create_index("ix_customer_values_revenue", ["revenue"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("customer_values", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_values_revenue")
    op.drop_table("customer_values")
