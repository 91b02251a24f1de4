"""Sales desk: a quote line's kept price, and what the client accepted (the optional
lines and the alternative chosen, from which address and browser).

Revision ID: 0011_sales
Revises: 0010_identify
"""

import sqlalchemy as sa
from alembic import op

from configurator.store.types import JSONType

revision = "0011_sales"
down_revision = "0010_identify"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("quote_lines", sa.Column("locked_terms", JSONType, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("quote_lines") as batch:
        batch.drop_column("locked_terms")
