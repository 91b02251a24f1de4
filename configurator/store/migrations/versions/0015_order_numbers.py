"""Order numbers as a per-year sequence (`ORD-2026-000123`): one counter row per
year. Orders placed before keep their random codes (`K7QF-3M2P`), which can
never look like a new number.

Revision ID: 0015_order_numbers
Revises: 0014_security
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_order_numbers"
down_revision = "0014_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_sequences",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_order_sequences")),
    )


def downgrade() -> None:
    op.drop_table("order_sequences")
