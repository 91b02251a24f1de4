"""Languages: each user's preferred language for the pages.

Revision ID: 0013_i18n
Revises: 0012_checkout
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_i18n"
down_revision = "0012_checkout"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: without a preference, the browser's Accept-Language decides.
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("locale", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("locale")
