"""Messages: the outbox the worker delivers by e-mail, and the in-app inbox.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from configurator.store.schema_changes import replace_check_constraint
from configurator.store.types import UTCDateTime

OLD_CHANNELS = "channel IN ('web', 'staff')"
NEW_CHANNELS = "channel IN ('web', 'staff', 'email')"

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Sends, opens and clicks of e-mails go on the timeline as channel "email".
    replace_check_constraint("interactions", op.f("ck_interactions_channel"), OLD_CHANNELS, NEW_CHANNELS)
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("to_address", sa.String(length=254), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("action_url", sa.String(length=1000), nullable=True),
        sa.Column("action_label", sa.String(length=80), nullable=True),
        sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.Column("opened_at", UTCDateTime(), nullable=True),
        sa.Column("clicked_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'held')",
            name=op.f("ck_messages_status"),
        ),
        sa.CheckConstraint(
            "purpose IN ('transactional', 'service', 'marketing')",
            name=op.f("ck_messages_purpose"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["users.id"],
            name=op.f("fk_messages_recipient_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_messages_dedupe_key")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_messages_status_next_attempt", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            "ix_messages_recipient_created_id", ["recipient_id", "created_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_recipient_created_id")
        batch_op.drop_index("ix_messages_status_next_attempt")
    op.drop_table("messages")
    op.execute("DELETE FROM interactions WHERE channel = 'email'")
    replace_check_constraint("interactions", op.f("ck_interactions_channel"), NEW_CHANNELS, OLD_CHANNELS)
