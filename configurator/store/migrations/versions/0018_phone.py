"""Phone: a customer's phone number (E.164), compared to find duplicates.

Revision ID: 0018_phone
Revises: 0017_offers
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_phone"
down_revision = "0017_offers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f("ix_users_phone"), ["phone"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_phone"))
        batch_op.drop_column("phone")
