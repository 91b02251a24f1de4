"""Quote templates: a quote's lines and discount kept under a name, to start new
quotes from.

Revision ID: 0019_quote_templates
Revises: 0018_phone
"""

import sqlalchemy as sa
from alembic import op

from configurator.store.types import JSONType, UTCDateTime

revision = "0019_quote_templates"
down_revision = "0018_phone"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quote_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("lines", JSONType, nullable=False),
        sa.Column("discount", JSONType, nullable=True),
        sa.Column("source_number", sa.String(length=32), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_quote_templates_created_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote_templates")),
        sa.UniqueConstraint("name", name=op.f("uq_quote_templates_name")),
    )


def downgrade() -> None:
    op.drop_table("quote_templates")
