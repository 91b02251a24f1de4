"""The deliveries of a subscription order, one row per delivery on its schedule.

An order of a subscription (a catalog with `recurring: per_delivery` prices and
a delivery frequency, see `services/deliveries.py`) gets its first delivery when
it is placed and the next ones ahead of time; an order delivered once has one.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from configurator.store.models import Base, Order
from configurator.store.types import Money, UTCDateTime, utcnow


class Delivery(Base):
    """One delivery of an order: when it is due, what it costs, and whether it went out."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(sa.Integer)  # 1 for the first delivery of the order
    due_on: Mapped[date] = mapped_column(sa.Date)
    amount: Mapped[Decimal] = mapped_column(Money)  # charged for it (the first: in the order's total)
    status: Mapped[str] = mapped_column(sa.String(16), default="scheduled")  # scheduled | sent | cancelled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("order_id", "number"),
        sa.Index("ix_deliveries_status_due_on", "status", "due_on"),
    )

    def __repr__(self) -> str:
        return f"<Delivery {self.order_id}#{self.number} {self.due_on}>"
