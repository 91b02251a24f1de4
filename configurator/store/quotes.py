"""Business accounts and their quotes: contacts, price lists, quantity breaks,
quotes with their lines, the per-year quote number sequence, and the
account's timeline of quote events.

A quote row is one revision (Q-2026-00042, Q-2026-00042-R2, ...). Its lines
keep the configuration (selection and catalog version) and a frozen copy of
the chosen options with their list prices, so a later catalog change reaches
a quote only through an explicit reprice. A sent revision also keeps
`frozen`: the priced quote as the client received it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from configurator.store.models import Base, CatalogVersion, Order, User
from configurator.store.types import JSONType, Money, UTCDateTime, utcnow

CONTACT_ROLES = ("decision_maker", "buyer", "finance", "technical")
TAX_TREATMENTS = ("standard", "reverse_charge", "zero_rated")
QUOTE_STATUSES = (
    "draft", "pending_approval", "approved", "sent", "accepted", "declined", "expired",
    "ordered", "cancelled", "superseded",
)
EVENT_CHANNELS = ("web", "staff", "system")
LINE_KINDS = ("included", "optional", "alternative")
# Percentages are kept with two decimals, exactly like money (12.50 is 12.5 %).
Percent = Money


class BusinessAccount(Base):
    """A company we quote for: country (tax), currency, terms and its price list."""

    __tablename__ = "business_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    country: Mapped[str] = mapped_column(sa.String(2))
    tax_treatment: Mapped[str] = mapped_column(sa.String(16), default="standard")
    vat_id: Mapped[str] = mapped_column(sa.String(32), default="")
    currency: Mapped[str] = mapped_column(sa.String(3), default="EUR")
    terms: Mapped[str] = mapped_column(sa.Text, default="")
    validity_days: Mapped[int] = mapped_column(default=30)
    price_list_name: Mapped[str] = mapped_column(sa.String(120), default="")
    # Sales may discount this account's quotes up to this percentage alone; above, a
    # manager approves. New accounts take the QUOTE_APPROVAL_THRESHOLD setting.
    approval_threshold: Mapped[Decimal] = mapped_column(
        Percent, default=Decimal(10), server_default="10.00"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contacts: Mapped[list[AccountContact]] = relationship(
        back_populates="account", cascade="all, delete-orphan", order_by="AccountContact.id"
    )
    price_entries: Mapped[list[PriceListEntry]] = relationship(
        cascade="all, delete-orphan", order_by="PriceListEntry.id"
    )

    __table_args__ = (sa.CheckConstraint(f"tax_treatment IN {TAX_TREATMENTS}", name="tax"),)

    def __repr__(self) -> str:
        return f"<BusinessAccount {self.id} {self.name!r}>"


class AccountContact(Base):
    """A customer user who speaks for an account; one account per user."""

    __tablename__ = "account_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("business_accounts.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    contact_role: Mapped[str] = mapped_column(sa.String(16))

    account: Mapped[BusinessAccount] = relationship(back_populates="contacts")
    user: Mapped[User] = relationship()

    __table_args__ = (sa.CheckConstraint(f"contact_role IN {CONTACT_ROLES}", name="role"),)


class PriceListEntry(Base):
    """One line of an account's price list: a percentage off a whole product line
    (feature and option empty) or a fixed unit price for one option."""

    __tablename__ = "price_list_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("business_accounts.id", ondelete="CASCADE"), index=True
    )
    catalog_id: Mapped[str] = mapped_column(sa.String(64))
    feature: Mapped[str | None] = mapped_column(sa.String(64))
    option: Mapped[str | None] = mapped_column(sa.String(64))
    percent_off: Mapped[Decimal | None] = mapped_column(Percent)
    price: Mapped[Decimal | None] = mapped_column(Money)

    __table_args__ = (
        sa.CheckConstraint(
            "(percent_off IS NOT NULL AND price IS NULL AND option IS NULL) OR "
            "(percent_off IS NULL AND price IS NOT NULL AND option IS NOT NULL)",
            name="kind",
        ),
    )


class QuantityBreakTier(Base):
    """From `min_quantity` units of a product line on, `percent_off` each unit, applied
    after the account's price list. Without `account_id` it is our policy for every
    account; an account's own tiers of a product line replace ours for that line."""

    __tablename__ = "quantity_break_tiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("business_accounts.id", ondelete="CASCADE")
    )
    catalog_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    min_quantity: Mapped[int]
    percent_off: Mapped[Decimal] = mapped_column(Percent)
    mode: Mapped[str] = mapped_column(sa.String(8), default="range")

    __table_args__ = (sa.UniqueConstraint("account_id", "catalog_id", "min_quantity"),)


class QuoteSequence(Base):
    """The last quote number handed out per year (gap-free; see `quoting.numbering`)."""

    __tablename__ = "quote_sequences"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class QuoteTemplate(Base):
    """A quote's lines and discount kept under a name, to start new quotes from
    (`services.quotes.templates`): no prices, which come from today's catalog and
    the account's terms when a quote is started from it."""

    __tablename__ = "quote_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    # Each line: catalog_id, selection, quantity, title, kind, alternative_to, discount.
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    discount: Mapped[dict[str, str] | None] = mapped_column(JSONType)
    source_number: Mapped[str] = mapped_column(sa.String(32))
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuoteRecord(Base):
    """One revision of a quote. `version_id` is SQLAlchemy's optimistic lock: an
    UPDATE from a stale copy matches no row and is refused, never applied."""

    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(24), unique=True)
    year: Mapped[int]
    sequence: Mapped[int]
    revision: Mapped[int] = mapped_column(default=1)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("business_accounts.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    terms: Mapped[dict[str, Any]] = mapped_column(JSONType)
    discount: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    approval: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    decline_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    cancel_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    superseded_by: Mapped[str | None] = mapped_column(sa.String(24))
    last_line_number: Mapped[int] = mapped_column(default=0)
    frozen: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id", ondelete="SET NULL"))
    version_id: Mapped[int] = mapped_column(default=1)

    account: Mapped[BusinessAccount] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    order: Mapped[Order | None] = relationship()
    lines: Mapped[list[QuoteLineRecord]] = relationship(
        back_populates="quote", cascade="all, delete-orphan", order_by="QuoteLineRecord.position"
    )
    service_lines: Mapped[list[QuoteServiceLine]] = relationship(
        cascade="all, delete-orphan", order_by="QuoteServiceLine.position"
    )

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version_id}
    __table_args__ = (
        sa.UniqueConstraint("year", "sequence", "revision"),
        sa.CheckConstraint(f"status IN {QUOTE_STATUSES}", name="status"),
        sa.Index("ix_quotes_status_valid_until", "status", "valid_until"),
    )

    @property
    def current_status(self) -> str:
        """The status as of now: a sent quote past its validity reads as expired at once,
        before the daily `expire-quotes` job writes it (and any use case on it does)."""
        if self.status == "sent" and self.valid_until <= utcnow():
            return "expired"
        return self.status

    def __repr__(self) -> str:
        return f"<Quote {self.number} {self.status}>"


class QuoteLineRecord(Base):
    """A line: a complete configuration of one product line and a quantity."""

    __tablename__ = "quote_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(sa.ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    line_id: Mapped[str] = mapped_column(sa.String(8))
    catalog_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    catalog_version_id: Mapped[int] = mapped_column(sa.ForeignKey("catalog_versions.id"))
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    selection: Mapped[dict[str, Any]] = mapped_column(JSONType)
    options: Mapped[list[Any]] = mapped_column(JSONType)  # [feature, option, list price, name]
    quantity: Mapped[int]
    discount: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # included (in the totals), optional (offered on top) or alternative (instead of
    # `alternative_to`): the last two are priced and shown but kept out of the totals.
    kind: Mapped[str] = mapped_column(sa.String(12), default="included", server_default="included")
    alternative_to: Mapped[str | None] = mapped_column(sa.String(8))
    # "Keep this price": the terms the line is priced by whatever a reprice brings (JSON
    # like `QuoteRecord.terms`); None prices it by the quote's terms.
    locked_terms: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    source_configuration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("configurations.id", ondelete="SET NULL")
    )

    quote: Mapped[QuoteRecord] = relationship(back_populates="lines")
    catalog_version: Mapped[CatalogVersion] = relationship()

    __table_args__ = (sa.UniqueConstraint("quote_id", "line_id"),)


class QuoteServiceLine(Base):
    """A service or free-text line (freight, installation): its own unit price, our unit
    cost (staff only, for the margin) and a VAT rate of its own (None: the quote's)."""

    __tablename__ = "quote_service_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(sa.ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    line_id: Mapped[str] = mapped_column(sa.String(8))
    description: Mapped[str] = mapped_column(sa.String(200))
    quantity: Mapped[int]
    unit_price: Mapped[Decimal] = mapped_column(Money)
    unit_cost: Mapped[Decimal] = mapped_column(Money)
    tax_rate: Mapped[Decimal | None] = mapped_column(Percent)

    __table_args__ = (sa.UniqueConstraint("quote_id", "line_id"),)


class AccountEvent(Base):
    """One entry of an account's timeline: who did what to which quote, when."""

    __tablename__ = "account_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("business_accounts.id", ondelete="CASCADE")
    )
    quote_id: Mapped[int | None] = mapped_column(sa.ForeignKey("quotes.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(sa.String(8), default="staff")
    action: Mapped[str] = mapped_column(sa.String(40))
    subject: Mapped[str] = mapped_column(sa.String(200))
    detail: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(f"channel IN {EVENT_CHANNELS}", name="channel"),
        sa.Index("ix_account_events_account_created", "account_id", "created_at"),
        sa.Index("ix_account_events_quote", "quote_id"),
    )
