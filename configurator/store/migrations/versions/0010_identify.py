"""Identify: merges of two customer records, with the moved rows for an undo.

Revision ID: 0010_identify
Revises: 0009_workbench
"""

import sqlalchemy as sa
from alembic import op

from configurator.store.types import JSONType, UTCDateTime

revision = "0010_identify"
down_revision = "0009_workbench"
branch_labels = None
depends_on = None


def _user(column: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=op.f(f"fk_customer_merges_{column}_users"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "customer_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kept_id", sa.Integer(), nullable=False),
        sa.Column("merged_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("moved", JSONType, nullable=False),
        sa.Column("merged_at", UTCDateTime(), nullable=False),
        sa.Column("undone_at", UTCDateTime(), nullable=True),
        sa.Column("undone_by_id", sa.Integer(), nullable=True),
        _user("kept_id", "CASCADE"),
        _user("merged_id", "CASCADE"),
        _user("staff_id", "SET NULL"),
        _user("undone_by_id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_merges")),
    )
    op.create_index(op.f("ix_customer_merges_kept_id"), "customer_merges", ["kept_id"])
    op.create_index(op.f("ix_customer_merges_merged_id"), "customer_merges", ["merged_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_customer_merges_merged_id"), table_name="customer_merges")
    op.drop_index(op.f("ix_customer_merges_kept_id"), table_name="customer_merges")
    op.drop_table("customer_merges")
