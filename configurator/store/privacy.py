"""What each customer allows us to do with their data, purpose by purpose.

One row per customer and purpose that the customer (or sign-up) decided; a
missing row means the purpose's default (`DEFAULTS`). Marketing is opt-in:
nothing is sent for it until the customer says yes.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from configurator.store.models import Base
from configurator.store.types import UTCDateTime, utcnow

# personalization: suggestions and offers from the customer's own history;
# service: messages about what the customer has with us (quotes, subscriptions);
# marketing: offers and news by e-mail.
CONSENT_PURPOSES = ("personalization", "service", "marketing")
DEFAULTS = {"personalization": True, "service": True, "marketing": False}


class Consent(Base):
    """The customer's answer for one purpose, and when it was given."""

    __tablename__ = "consents"

    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    purpose: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    granted: Mapped[bool]
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.CheckConstraint(f"purpose IN {CONSENT_PURPOSES}", name="purpose"),)

    def __repr__(self) -> str:
        return f"<Consent {self.customer_id} {self.purpose} {self.granted}>"
