"""Offers: campaigns with a reward and a holdout, and each customer's offer events.

Revision ID: 0017_offers
Revises: 0016_deliveries
"""

import sqlalchemy as sa
from alembic import op

from configurator.store.types import JSONType, Money, UTCDateTime

revision = "0017_offers"
down_revision = "0016_deliveries"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "offer_campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("reward_kind", sa.String(length=16), nullable=False),
        sa.Column("percent", Money(), nullable=True),
        sa.Column("addon_catalog", sa.String(length=64), nullable=True),
        sa.Column("addon_feature", sa.String(length=64), nullable=True),
        sa.Column("addon_option", sa.String(length=64), nullable=True),
        sa.Column("holdout_percent", Money(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("reward_kind IN ('discount', 'free_addon')",
                           name=op.f("ck_offer_campaigns_reward_kind")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_offer_campaigns_created_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_campaigns")),
        sa.UniqueConstraint("code", name=op.f("uq_offer_campaigns_code")),
    )
    op.create_table(
        "offer_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("group", sa.String(length=8), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("detail", JSONType, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('shown', 'held_out', 'clicked', 'accepted', 'unsubscribed')",
            name=op.f("ck_offer_events_kind"),
        ),
        sa.ForeignKeyConstraint(["campaign_id"], ["offer_campaigns.id"],
                                name=op.f("fk_offer_events_campaign_id_offer_campaigns"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["customer_id"], ["users.id"],
                                name=op.f("fk_offer_events_customer_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"],
                                name=op.f("fk_offer_events_order_id_orders"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_events")),
    )
    op.create_index("ix_offer_events_campaign_customer", "offer_events",
                    ["campaign_id", "customer_id", "kind"])
    op.create_index("ix_offer_events_customer_id", "offer_events", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_offer_events_customer_id", table_name="offer_events")
    op.drop_index("ix_offer_events_campaign_customer", table_name="offer_events")
    op.drop_table("offer_events")
    op.drop_table("offer_campaigns")
