"""A guest's cart: product configurations a shopper without an account keeps for one
checkout (`services/guest_carts.py`). The browser holds a random token in its signed
session cookie; the row keeps only the token's SHA-256, so the database holds no
working key to anyone's cart.

An item keeps its own catalog version and picks (a guest has no saved
configurations), as a signed-in cart line keeps its configuration.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from configurator.store.models import Base, CatalogVersion
from configurator.store.types import JSONType, UTCDateTime, utcnow


class GuestCart(Base):
    """One browser's cart, found by the digest of the token in its cookie."""

    __tablename__ = "guest_carts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Every change touches it: a cart left alone for 30 days is cleaned away.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    items: Mapped[list[GuestCartItem]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", passive_deletes=True,
        order_by="(GuestCartItem.added_at, GuestCartItem.id)",
    )

    def __repr__(self) -> str:
        return f"<GuestCart {self.id}>"


class GuestCartItem(Base):
    """One configured product in a guest's cart, and how many of it."""

    __tablename__ = "guest_cart_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(sa.ForeignKey("guest_carts.id", ondelete="CASCADE"),
                                         index=True)
    catalog_id: Mapped[str] = mapped_column(sa.String(64))
    catalog_version_id: Mapped[int] = mapped_column(sa.ForeignKey("catalog_versions.id"))
    name: Mapped[str] = mapped_column(sa.String(120))
    selection: Mapped[dict[str, Any]] = mapped_column(JSONType)
    quantity: Mapped[int] = mapped_column(default=1)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cart: Mapped[GuestCart] = relationship(back_populates="items")
    catalog_version: Mapped[CatalogVersion] = relationship()

    def __repr__(self) -> str:
        return f"<GuestCartItem {self.cart_id}:{self.catalog_id} x{self.quantity}>"
