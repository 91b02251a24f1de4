"""Privacy: each customer's consent per purpose, and when their data was erased.

Revision ID: 0008_privacy
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from configurator.store.types import UTCDateTime

revision = "0008_privacy"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consents",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('personalization', 'service', 'marketing')",
            name=op.f("ck_consents_purpose"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["users.id"],
            name=op.f("fk_consents_customer_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "purpose", name=op.f("pk_consents")),
    )
    op.add_column("users", sa.Column("erased_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("erased_at")
    op.drop_table("consents")
