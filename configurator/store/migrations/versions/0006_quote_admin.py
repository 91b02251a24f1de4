"""Quote administration: each business account's approval threshold (how far
sales may discount alone), an account's own quantity breaks (replacing ours
for a product line), and optional or alternative quote lines.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from configurator.store.types import Money

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing accounts keep the 10 % the application used before thresholds were per account.
    op.add_column(
        "business_accounts",
        sa.Column("approval_threshold", Money(), nullable=False, server_default="10.00"),
    )
    op.add_column(
        "quote_lines",
        sa.Column("kind", sa.String(length=12), nullable=False, server_default="included"),
    )
    op.add_column("quote_lines", sa.Column("alternative_to", sa.String(length=8), nullable=True))
    # SQLite changes constraints only by copying the table; nothing refers to this one.
    with op.batch_alter_table("quantity_break_tiers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_quantity_break_tiers_account_id_business_accounts"),
            "business_accounts", ["account_id"], ["id"], ondelete="CASCADE",
        )
        batch_op.drop_constraint(batch_op.f("uq_quantity_break_tiers_catalog_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_quantity_break_tiers_account_id"),
            ["account_id", "catalog_id", "min_quantity"],
        )


def downgrade() -> None:
    op.execute("DELETE FROM quantity_break_tiers WHERE account_id IS NOT NULL")
    with op.batch_alter_table("quantity_break_tiers", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_quantity_break_tiers_account_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_quantity_break_tiers_catalog_id"), ["catalog_id", "min_quantity"]
        )
        batch_op.drop_constraint(
            batch_op.f("fk_quantity_break_tiers_account_id_business_accounts"), type_="foreignkey"
        )
        batch_op.drop_column("account_id")
    with op.batch_alter_table("quote_lines", schema=None) as batch_op:
        batch_op.drop_column("alternative_to")
        batch_op.drop_column("kind")
    with op.batch_alter_table("business_accounts", schema=None) as batch_op:
        batch_op.drop_column("approval_threshold")
