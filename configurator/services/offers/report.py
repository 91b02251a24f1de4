"""A campaign's report for staff: who was reached, what they did, and the uplift
of the offer group over the holdout, with 95 % intervals.

Each reached customer counts from the moment they were reached (their `shown`
or `held_out` event) to the campaign's end (or now, while it runs): converted
when they placed an order in that window, their revenue the orders' totals
(cancelled orders do not count). Only orders in the tier file's currency count,
as in the customers' value: a total in IRR added to totals in EUR would mean
nothing, and nothing is converted. Unsubscribes: how many, and the lifetime
value of those customers (`customer_values`), against the customers of the
offer group who stayed: the value that offers may no longer reach.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.services.customer_value.tiers import tier_config
from configurator.services.offers import holdout, uplift
from configurator.services.offers.campaigns import get
from configurator.store.models import Order
from configurator.store.offers import OfferCampaign, OfferEvent
from configurator.store.types import utcnow
from configurator.store.value import CustomerValue


@dataclass(frozen=True)
class Side:
    """One group of the campaign: customers, how many bought, revenue."""

    customers: int
    converted: int
    revenue: Decimal

    @property
    def conversion(self) -> Decimal | None:
        """Share of the group that bought, in percent."""
        return None if not self.customers else Decimal(100) * self.converted / self.customers

    @property
    def revenue_per_customer(self) -> Decimal | None:
        """Revenue over everyone in the group (non-buyers count as 0)."""
        return None if not self.customers else self.revenue / self.customers


@dataclass(frozen=True)
class Unsubscribes:
    """Customers of the offer group who asked for no more offers, and their value."""

    count: int
    share: Decimal | None  # of the customers shown the offer, percent
    lifetime_value: Decimal  # of those who unsubscribed, together
    mean_lifetime_value: Decimal | None  # per unsubscribed customer
    mean_lifetime_value_stayed: Decimal | None  # per customer of the offer group who stayed


@dataclass(frozen=True)
class CampaignReport:
    """Everything the staff page shows about one campaign."""

    campaign: OfferCampaign
    offer: Side
    holdout: Side
    events: dict[str, int]  # kind -> customers with that event
    uplift: uplift.Report | None  # None until both groups have customers
    unsubscribes: Unsubscribes
    until: datetime
    currency: str  # the only currency whose orders count


def build(session: Session, campaign_id: int, *, now: datetime | None = None,
          currency: str | None = None) -> CampaignReport:
    """The report of one campaign as of `now`, counting orders in `currency` (by
    default the tier file's); NotFound for an unknown campaign."""
    campaign = get(session, campaign_id)
    currency = currency or tier_config().currency
    until = min(campaign.ends_at, now or utcnow())
    events = list(session.scalars(sa.select(OfferEvent).where(OfferEvent.campaign_id == campaign.id)))
    first: dict[int, OfferEvent] = {}  # customer -> when and in which group they were reached
    for event in sorted(events, key=lambda e: e.id):
        if event.kind in ("shown", "held_out"):
            first.setdefault(event.customer_id, event)
    revenues = _revenues(session, first, until, currency)
    groups: dict[str, list[Decimal]] = defaultdict(list)
    for customer_id, event in first.items():
        groups[event.group].append(revenues.get(customer_id, Decimal(0)))
    offer = uplift.Group(groups[holdout.OFFER])
    held = uplift.Group(groups[holdout.HOLDOUT])
    kinds = Counter(kind for kind, _ in {(e.kind, e.customer_id) for e in events})
    return CampaignReport(
        campaign=campaign,
        offer=_side(offer),
        holdout=_side(held),
        events=dict(kinds),
        uplift=uplift.report(offer, held) if offer.customers and held.customers else None,
        unsubscribes=_unsubscribes(session, events, first),
        until=until,
        currency=currency,
    )


def _side(group: uplift.Group) -> Side:
    return Side(group.customers, group.converted, sum(group.revenues, Decimal(0)))


def _revenues(
    session: Session, first: dict[int, OfferEvent], until: datetime, currency: str
) -> dict[int, Decimal]:
    """Each reached customer's order totals in `currency` from when they were reached until `until`."""
    if not first:
        return {}
    rows = session.execute(
        sa.select(Order.owner_id, Order.total, Order.created_at).where(
            Order.owner_id.in_(list(first)), Order.status != "cancelled", Order.created_at < until,
            Order.currency == currency)
    )
    revenues: dict[int, Decimal] = defaultdict(Decimal)
    for owner_id, total, created_at in rows:
        if created_at >= first[owner_id].at:
            revenues[owner_id] += total
    return revenues


def _unsubscribes(session: Session, events: list[OfferEvent], first: dict[int, OfferEvent]) -> Unsubscribes:
    shown = {customer_id for customer_id, e in first.items() if e.group == holdout.OFFER}
    gone = {e.customer_id for e in events if e.kind == "unsubscribed"} & shown
    values = dict(session.execute(
        sa.select(CustomerValue.customer_id, CustomerValue.lifetime_value).where(
            CustomerValue.customer_id.in_(list(shown)))).all()) if shown else {}

    def mean(ids: set[int]) -> Decimal | None:
        known = [values[i] for i in ids if values.get(i) is not None]
        return sum(known, Decimal(0)) / len(known) if known else None

    return Unsubscribes(
        count=len(gone),
        share=Decimal(100) * len(gone) / len(shown) if shown else None,
        lifetime_value=sum((values[i] for i in gone if values.get(i) is not None), Decimal(0)),
        mean_lifetime_value=mean(gone),
        mean_lifetime_value_stayed=mean(shown - gone),
    )
