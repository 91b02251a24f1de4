"""Security: signed-in sessions, one order per revision, idempotent API replies,
one-time links, and business status only from staff.

Revision ID: 0014_security
Revises: 0013_i18n
"""

import sqlalchemy as sa
from alembic import op

from configurator.store.types import JSONType, UTCDateTime

revision = "0014_security"
down_revision = "0013_i18n"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signed_in_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_signed_in_sessions_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signed_in_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_signed_in_sessions_token_hash")),
    )
    with op.batch_alter_table("signed_in_sessions", schema=None) as batch_op:
        batch_op.create_index(op.f("ix_signed_in_sessions_user_id"), ["user_id"], unique=False)
    # Orders placed twice from one revision before this change keep their
    # numbers; only the first keeps the link to the revision.
    op.execute(
        "UPDATE orders SET revision_id = NULL WHERE revision_id IS NOT NULL AND id NOT IN "
        "(SELECT MIN(id) FROM orders WHERE revision_id IS NOT NULL GROUP BY revision_id)"
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_unique_constraint(op.f("uq_orders_revision_id"), ["revision_id"])
    # "Business" was self-declared at sign-up; it now comes only from staff
    # (a contact of a business account they keep).
    op.execute(
        "UPDATE users SET segment = 'consumer' WHERE segment = 'business' AND role = 'customer' "
        "AND id NOT IN (SELECT user_id FROM account_contacts)"
    )
    op.create_table(
        "idempotent_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", JSONType, nullable=False),
        sa.Column("location", sa.String(length=500), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_idempotent_replies_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotent_replies")),
        sa.UniqueConstraint("user_id", "key", name="uq_idempotent_replies_user_key"),
    )
    op.create_table(
        "one_time_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=8), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("purpose IN ('reset', 'invite')", name=op.f("ck_one_time_links_purpose")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_one_time_links_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_time_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_one_time_links_token_hash")),
    )
    with op.batch_alter_table("one_time_links", schema=None) as batch_op:
        batch_op.create_index(op.f("ix_one_time_links_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("one_time_links", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_one_time_links_user_id"))
    op.drop_table("one_time_links")
    op.drop_table("idempotent_replies")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_orders_revision_id"), type_="unique")
    with op.batch_alter_table("signed_in_sessions", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_signed_in_sessions_user_id"))
    op.drop_table("signed_in_sessions")
