"""Business accounts and quotes: seller roles, accounts with contacts, price
lists, quantity breaks, quotes and their lines, the quote number sequence and
the account timeline.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from configurator.store.schema_changes import replace_check_constraint
from configurator.store.types import Money, UTCDateTime

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NEW_ROLES = "role IN ('customer', 'staff', 'manager', 'admin')"
OLD_ROLES = "role IN ('customer', 'staff')"


def _set_role_check(old: str, new: str) -> None:
    """Replace the users.role CHECK constraint."""
    replace_check_constraint("users", op.f("ck_users_role"), old, new)


def upgrade() -> None:
    _set_role_check(OLD_ROLES, NEW_ROLES)
    op.create_table(
        "business_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("tax_treatment", sa.String(length=16), nullable=False),
        sa.Column("vat_id", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("validity_days", sa.Integer(), nullable=False),
        sa.Column("price_list_name", sa.String(length=120), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "tax_treatment IN ('standard', 'reverse_charge', 'zero_rated')",
            name=op.f("ck_business_accounts_tax"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_accounts")),
        sa.UniqueConstraint("name", name=op.f("uq_business_accounts_name")),
    )
    op.create_table(
        "quantity_break_tiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("catalog_id", sa.String(length=64), nullable=False),
        sa.Column("min_quantity", sa.Integer(), nullable=False),
        sa.Column("percent_off", Money(), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quantity_break_tiers")),
        sa.UniqueConstraint(
            "catalog_id", "min_quantity", name=op.f("uq_quantity_break_tiers_catalog_id")
        ),
    )
    op.create_index(
        op.f("ix_quantity_break_tiers_catalog_id"), "quantity_break_tiers", ["catalog_id"]
    )
    op.create_table(
        "quote_sequences",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_quote_sequences")),
    )
    op.create_table(
        "account_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("contact_role", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "contact_role IN ('decision_maker', 'buyer', 'finance', 'technical')",
            name=op.f("ck_account_contacts_role"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["business_accounts.id"], ondelete="CASCADE",
            name=op.f("fk_account_contacts_account_id_business_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], ondelete="CASCADE",
            name=op.f("fk_account_contacts_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_contacts")),
        sa.UniqueConstraint("user_id", name=op.f("uq_account_contacts_user_id")),
    )
    op.create_index(op.f("ix_account_contacts_account_id"), "account_contacts", ["account_id"])
    op.create_table(
        "price_list_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("catalog_id", sa.String(length=64), nullable=False),
        sa.Column("feature", sa.String(length=64), nullable=True),
        sa.Column("option", sa.String(length=64), nullable=True),
        sa.Column("percent_off", Money(), nullable=True),
        sa.Column("price", Money(), nullable=True),
        sa.CheckConstraint(
            "(percent_off IS NOT NULL AND price IS NULL AND option IS NULL) OR "
            "(percent_off IS NULL AND price IS NOT NULL AND option IS NOT NULL)",
            name=op.f("ck_price_list_entries_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["business_accounts.id"], ondelete="CASCADE",
            name=op.f("fk_price_list_entries_account_id_business_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_list_entries")),
    )
    op.create_index(
        op.f("ix_price_list_entries_account_id"), "price_list_entries", ["account_id"]
    )
    op.create_table(
        "quotes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("valid_until", UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("terms", JSON, nullable=False),
        sa.Column("discount", JSON, nullable=True),
        sa.Column("approval", JSON, nullable=True),
        sa.Column("decline_reason", sa.String(length=500), nullable=False),
        sa.Column("cancel_reason", sa.String(length=500), nullable=False),
        sa.Column("superseded_by", sa.String(length=24), nullable=True),
        sa.Column("last_line_number", sa.Integer(), nullable=False),
        sa.Column("frozen", JSON, nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'pending_approval', 'approved', 'sent', 'accepted', 'declined', "
            "'expired', 'ordered', 'cancelled', 'superseded')",
            name=op.f("ck_quotes_status"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["business_accounts.id"], ondelete="CASCADE",
            name=op.f("fk_quotes_account_id_business_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], ondelete="SET NULL",
            name=op.f("fk_quotes_answered_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], ondelete="SET NULL",
            name=op.f("fk_quotes_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], ondelete="SET NULL",
            name=op.f("fk_quotes_order_id_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotes")),
        sa.UniqueConstraint("number", name=op.f("uq_quotes_number")),
        sa.UniqueConstraint("year", "sequence", "revision", name=op.f("uq_quotes_year")),
    )
    op.create_index(op.f("ix_quotes_account_id"), "quotes", ["account_id"])
    op.create_index("ix_quotes_status_valid_until", "quotes", ["status", "valid_until"])
    op.create_table(
        "quote_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.String(length=8), nullable=False),
        sa.Column("catalog_id", sa.String(length=64), nullable=False),
        sa.Column("catalog_version_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("selection", JSON, nullable=False),
        sa.Column("options", JSON, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("discount", JSON, nullable=True),
        sa.Column("source_configuration_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["catalog_version_id"], ["catalog_versions.id"],
            name=op.f("fk_quote_lines_catalog_version_id_catalog_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["quotes.id"], ondelete="CASCADE",
            name=op.f("fk_quote_lines_quote_id_quotes"),
        ),
        sa.ForeignKeyConstraint(
            ["source_configuration_id"], ["configurations.id"], ondelete="SET NULL",
            name=op.f("fk_quote_lines_source_configuration_id_configurations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote_lines")),
        sa.UniqueConstraint("quote_id", "line_id", name=op.f("uq_quote_lines_quote_id")),
    )
    op.create_index(op.f("ix_quote_lines_quote_id"), "quote_lines", ["quote_id"])
    op.create_index(op.f("ix_quote_lines_catalog_id"), "quote_lines", ["catalog_id"])
    op.create_table(
        "account_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('web', 'staff', 'system')", name=op.f("ck_account_events_channel")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["business_accounts.id"], ondelete="CASCADE",
            name=op.f("fk_account_events_account_id_business_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], ondelete="SET NULL",
            name=op.f("fk_account_events_actor_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["quotes.id"], ondelete="CASCADE",
            name=op.f("fk_account_events_quote_id_quotes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_events")),
    )
    op.create_index(
        "ix_account_events_account_created", "account_events", ["account_id", "created_at"]
    )
    op.create_index("ix_account_events_quote", "account_events", ["quote_id"])


def downgrade() -> None:
    for table in (
        "account_events", "quote_lines", "quotes", "price_list_entries", "account_contacts",
        "quote_sequences", "quantity_break_tiers", "business_accounts",
    ):
        op.drop_table(table)
    op.execute("UPDATE users SET role = 'staff' WHERE role IN ('manager', 'admin')")
    _set_role_check(NEW_ROLES, OLD_ROLES)
