"""Cart: each customer's configurations waiting for one checkout.

Revision ID: 0021_cart
Revises: 0020_service_lines
"""

import sqlalchemy as sa
from alembic import op

from configurator.store.types import UTCDateTime

revision = "0021_cart"
down_revision = "0020_service_lines"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cart_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("configuration_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_cart_lines_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["configuration_id"],
            ["configurations.id"],
            name=op.f("fk_cart_lines_configuration_id_configurations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cart_lines")),
        sa.UniqueConstraint("owner_id", "configuration_id", name=op.f("uq_cart_lines_owner_id")),
    )


def downgrade() -> None:
    op.drop_table("cart_lines")
