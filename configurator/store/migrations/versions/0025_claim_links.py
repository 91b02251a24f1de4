"""One-time links that add a guest order to the account of its address
(`services/guest_claims.py`): purpose "claim".

Revision ID: 0025_claim_links
Revises: 0024_message_attachments
"""

from alembic import op

revision = "0025_claim_links"
down_revision = "0024_message_attachments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("one_time_links") as batch_op:
        batch_op.drop_constraint(op.f("ck_one_time_links_purpose"), type_="check")
        batch_op.create_check_constraint(
            "purpose", "purpose IN ('reset', 'invite', 'verify', 'claim')")


def downgrade() -> None:
    op.execute("DELETE FROM one_time_links WHERE purpose = 'claim'")
    with op.batch_alter_table("one_time_links") as batch_op:
        batch_op.drop_constraint(op.f("ck_one_time_links_purpose"), type_="check")
        batch_op.create_check_constraint("purpose", "purpose IN ('reset', 'invite', 'verify')")
