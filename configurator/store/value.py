"""What each customer is worth to the shop, as last computed.

One row per customer who has been valued (see `services/customer_value/valuation.py`). The
customer's tier itself lives on `User.tier`, because that is what the engine
reads as `customer.tier`; this row keeps the figures the tier came from.
Recency in days is not stored: it changes every day, so it is derived from
`last_order_at` when shown.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from configurator.store.models import Base
from configurator.store.types import Money, UTCDateTime, utcnow


class CustomerValue(Base):
    """Revenue, margin, order history, RFM scores, lifetime value and tier of one customer."""

    __tablename__ = "customer_values"

    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(sa.String(3))
    revenue: Mapped[Decimal] = mapped_column(Money)
    margin: Mapped[Decimal | None] = mapped_column(Money)  # None: no order's costs are known
    order_count: Mapped[int] = mapped_column(default=0)
    first_order_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_order_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recency_score: Mapped[int] = mapped_column(default=1)
    frequency_score: Mapped[int] = mapped_column(default=1)
    monetary_score: Mapped[int] = mapped_column(default=1)
    lifetime_value: Mapped[Decimal | None] = mapped_column(Money)
    tier: Mapped[str | None] = mapped_column(sa.String(32))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.Index("ix_customer_values_revenue", "revenue"),)

    @property
    def rfm(self) -> int:
        """The three scores added up (3 to 15)."""
        return self.recency_score + self.frequency_score + self.monetary_score

    def __repr__(self) -> str:
        return f"<CustomerValue {self.customer_id} {self.revenue} {self.tier}>"
