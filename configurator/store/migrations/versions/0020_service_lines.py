"""Service lines of a quote: freight, installation or any free-text item with its
own price, cost and VAT rate.

Revision ID: 0020_service_lines
Revises: 0019_quote_templates
"""

import sqlalchemy as sa
from alembic import op

from configurator.store.types import Money

revision = "0020_service_lines"
down_revision = "0019_quote_templates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quote_service_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.String(length=8), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", Money(), nullable=False),
        sa.Column("unit_cost", Money(), nullable=False),
        sa.Column("tax_rate", Money(), nullable=True),
        sa.ForeignKeyConstraint(["quote_id"], ["quotes.id"],
                                name=op.f("fk_quote_service_lines_quote_id_quotes"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote_service_lines")),
        sa.UniqueConstraint("quote_id", "line_id",
                            name=op.f("uq_quote_service_lines_quote_id")),
    )
    op.create_index(op.f("ix_quote_service_lines_quote_id"), "quote_service_lines",
                    ["quote_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_quote_service_lines_quote_id"), table_name="quote_service_lines")
    op.drop_table("quote_service_lines")
