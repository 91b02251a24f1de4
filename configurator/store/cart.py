"""A customer's cart: saved configurations waiting for one checkout, each with a
quantity. Kept in the database, so it survives signing out and another device.

A line points at the configuration, not at a revision: the checkout orders the
configuration's newest revision, the one the customer last saw and changed.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from configurator.store.models import Base, Configuration
from configurator.store.types import UTCDateTime, utcnow


class CartLine(Base):
    """One configuration in a customer's cart, and how many of it."""

    __tablename__ = "cart_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    configuration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("configurations.id", ondelete="CASCADE")
    )
    quantity: Mapped[int] = mapped_column(default=1)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    configuration: Mapped[Configuration] = relationship()

    # One line per configuration: adding it again raises the quantity.
    __table_args__ = (sa.UniqueConstraint("owner_id", "configuration_id"),)

    def __repr__(self) -> str:
        return f"<CartLine {self.owner_id}:{self.configuration_id} x{self.quantity}>"
