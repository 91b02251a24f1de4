"""Offer campaigns (staff create them) and what happened to each customer's offer.

A campaign gives a reward (a percentage off, or one add-on free) on the
offer each customer gets from their own history. Every customer the campaign
reaches is put, by a stable hash, either in the offer group or in the random
holdout; the first `shown` (offer group) or `held_out` (holdout) event is the
moment they were reached and keeps the items chosen for them. Later events:
`clicked`, `accepted` (with the order) and `unsubscribed`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from configurator.store.models import Base
from configurator.store.types import JSONType, Money, UTCDateTime, utcnow

REWARD_KINDS = ("discount", "free_addon")
OFFER_EVENTS = ("shown", "held_out", "clicked", "accepted", "unsubscribed")


class OfferCampaign(Base):
    """One campaign: its reward, its holdout share and when it runs."""

    __tablename__ = "offer_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)  # seeds the holdout hash
    name: Mapped[str] = mapped_column(sa.String(120))
    reward_kind: Mapped[str] = mapped_column(sa.String(16))
    percent: Mapped[Decimal | None] = mapped_column(Money)  # discount: percent off
    # free_addon: this option of this product line costs nothing when chosen.
    addon_catalog: Mapped[str | None] = mapped_column(sa.String(64))
    addon_feature: Mapped[str | None] = mapped_column(sa.String(64))
    addon_option: Mapped[str | None] = mapped_column(sa.String(64))
    holdout_percent: Mapped[Decimal] = mapped_column(Money)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.CheckConstraint(f"reward_kind IN {REWARD_KINDS}", name="reward_kind"),)

    def __repr__(self) -> str:
        return f"<OfferCampaign {self.code}>"


class OfferEvent(Base):
    """Something that happened to one customer's offer of one campaign."""

    __tablename__ = "offer_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("offer_campaigns.id", ondelete="CASCADE")
    )
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    group: Mapped[str] = mapped_column(sa.String(8))  # offer | holdout
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id", ondelete="SET NULL"))
    # shown / held_out: the items chosen for the customer; accepted: the reward line.
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    campaign: Mapped[OfferCampaign] = relationship()

    __table_args__ = (
        sa.CheckConstraint(f"kind IN {OFFER_EVENTS}", name="kind"),
        sa.Index("ix_offer_events_campaign_customer", "campaign_id", "customer_id", "kind"),
        sa.Index("ix_offer_events_customer_id", "customer_id"),
    )

    def __repr__(self) -> str:
        return f"<OfferEvent {self.campaign_id} {self.customer_id} {self.kind}>"
