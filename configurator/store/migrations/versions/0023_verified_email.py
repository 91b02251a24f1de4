"""Verified e-mail: when a user proved they read mail at their address, and
one-time links that confirm an address.

Revision ID: 0023_verified_email
Revises: 0022_director
"""

import sqlalchemy as sa
from alembic import op

from configurator.store.types import UTCDateTime

revision = "0023_verified_email"
down_revision = "0022_director"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Accounts made before this change never confirmed their address: NULL.
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("email_verified_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("one_time_links") as batch_op:
        batch_op.drop_constraint(op.f("ck_one_time_links_purpose"), type_="check")
        batch_op.create_check_constraint(
            "purpose", "purpose IN ('reset', 'invite', 'verify')")


def downgrade() -> None:
    op.execute("DELETE FROM one_time_links WHERE purpose = 'verify'")
    with op.batch_alter_table("one_time_links") as batch_op:
        batch_op.drop_constraint(op.f("ck_one_time_links_purpose"), type_="check")
        batch_op.create_check_constraint("purpose", "purpose IN ('reset', 'invite')")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("email_verified_at")
