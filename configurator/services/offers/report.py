"""A campaign's report for staff: who was reached, what they did, and the uplift
of the offer group over the holdout, with 95 % intervals.

Each reached customer counts from the moment they were reached (their `shown`
or `held_out` event) to the campaign's end (or now, while it runs): converted
when they placed an order in that window, their revenue the orders' totals
(cancelled orders do not count).

Money is never added up across currencies, and nothing is converted: revenue
and its uplift come in a section per currency that orders were placed in,
where every reached customer counts (with 0 when they bought nothing in that
currency), so each section compares the same randomized groups. Conversion
alone is also pooled over every currency (an order in any of them converts):
whether a customer bought does not depend on the money they paid in.
Unsubscribes: how many, and the lifetime value of those customers
(`customer_values`, each in the currency the customer buys in), against the
customers of the offer group who stayed: the value that offers may no longer
reach, per currency.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
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
class Reach:
    """One group of the campaign: customers and how many of them bought."""

    customers: int
    converted: int

    @property
    def conversion(self) -> Decimal | None:
        """Share of the group that bought, in percent."""
        return None if not self.customers else Decimal(100) * self.converted / self.customers


@dataclass(frozen=True)
class Side(Reach):
    """One group in one currency: bought in it, and the revenue in it."""

    revenue: Decimal

    @property
    def revenue_per_customer(self) -> Decimal | None:
        """Revenue over everyone in the group (non-buyers count as 0)."""
        return None if not self.customers else self.revenue / self.customers


@dataclass(frozen=True)
class Section:
    """The groups' orders in one currency, and their uplift."""

    currency: str
    offer: Side
    holdout: Side
    uplift: uplift.Report | None  # None until both groups have customers


@dataclass(frozen=True)
class LifetimeValues:
    """The lifetime value, in one currency, of those shown the offer who unsubscribed
    and of those who stayed."""

    currency: str
    lifetime_value: Decimal  # of those who unsubscribed, together
    mean_lifetime_value: Decimal | None  # per unsubscribed customer
    mean_lifetime_value_stayed: Decimal | None  # per customer of the offer group who stayed


@dataclass(frozen=True)
class Unsubscribes:
    """Customers of the offer group who asked for no more offers, and their value."""

    count: int
    share: Decimal | None  # of the customers shown the offer, percent
    values: list[LifetimeValues]  # per currency the customers' values are in


@dataclass(frozen=True)
class CampaignReport:
    """Everything the staff page shows about one campaign."""

    campaign: OfferCampaign
    offer: Reach  # bought in any currency
    holdout: Reach
    conversion: uplift.Interval | None  # pooled over currencies; None until both groups have customers
    small: bool  # a group has fewer than uplift.SMALL_GROUP customers
    sections: list[Section]  # one per currency with orders, the tier file's first
    events: dict[str, int]  # kind -> customers with that event
    unsubscribes: Unsubscribes
    until: datetime

    def section(self, currency: str) -> Section | None:
        """The section of one currency, None when nobody ordered in it."""
        return next((section for section in self.sections if section.currency == currency), None)


def build(session: Session, campaign_id: int, *, now: datetime | None = None) -> CampaignReport:
    """The report of one campaign as of `now`; NotFound for an unknown campaign."""
    campaign = get(session, campaign_id)
    until = min(campaign.ends_at, now or utcnow())
    events = list(session.scalars(sa.select(OfferEvent).where(OfferEvent.campaign_id == campaign.id)))
    first: dict[int, OfferEvent] = {}  # customer -> when and in which group they were reached
    for event in sorted(events, key=lambda e: e.id):
        if event.kind in ("shown", "held_out"):
            first.setdefault(event.customer_id, event)
    groups: dict[str, list[int]] = defaultdict(list)
    for customer_id, event in first.items():
        groups[event.group].append(customer_id)
    revenues = _revenues(session, first, until)
    offer = _reach(groups[holdout.OFFER], revenues)
    held = _reach(groups[holdout.HOLDOUT], revenues)
    both = offer.customers > 0 and held.customers > 0
    kinds = Counter(kind for kind, _ in {(e.kind, e.customer_id) for e in events})
    return CampaignReport(
        campaign=campaign,
        offer=offer,
        holdout=held,
        conversion=uplift.conversion(offer, held) if both else None,
        small=uplift.too_small(offer, held),
        sections=[_section(currency, groups, revenues)
                  for currency in _ordered({currency for currency, _ in revenues})],
        events=dict(kinds),
        unsubscribes=_unsubscribes(session, events, first),
        until=until,
    )


def _reach(customers: list[int], revenues: dict[tuple[str, int], Decimal]) -> Reach:
    bought = {customer for (_, customer), revenue in revenues.items() if revenue > 0}
    return Reach(len(customers), sum(1 for customer in customers if customer in bought))


def _section(currency: str, groups: dict[str, list[int]],
             revenues: dict[tuple[str, int], Decimal]) -> Section:
    offer, held = (uplift.Group([revenues.get((currency, customer), Decimal(0))
                                 for customer in groups[side]])
                   for side in (holdout.OFFER, holdout.HOLDOUT))
    return Section(
        currency=currency,
        offer=_side(offer),
        holdout=_side(held),
        uplift=uplift.report(offer, held) if offer.customers and held.customers else None,
    )


def _side(group: uplift.Group) -> Side:
    return Side(group.customers, group.converted, sum(group.revenues, Decimal(0)))


def _ordered(currencies: Iterable[str]) -> list[str]:
    """The tier file's currency (the shop's own) first, then by code."""
    home = tier_config().currency
    return sorted(currencies, key=lambda currency: (currency != home, currency))


def _revenues(
    session: Session, first: dict[int, OfferEvent], until: datetime
) -> dict[tuple[str, int], Decimal]:
    """(currency, customer) -> the customer's order totals in that currency, from when
    they were reached until `until`."""
    if not first:
        return {}
    rows = session.execute(
        sa.select(Order.owner_id, Order.currency, Order.total, Order.created_at).where(
            Order.owner_id.in_(list(first)), Order.status != "cancelled", Order.created_at < until)
    )
    revenues: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for owner_id, currency, total, created_at in rows:
        if created_at >= first[owner_id].at:
            revenues[(currency, owner_id)] += total
    return revenues


def _unsubscribes(session: Session, events: list[OfferEvent], first: dict[int, OfferEvent]) -> Unsubscribes:
    shown = {customer_id for customer_id, e in first.items() if e.group == holdout.OFFER}
    gone = {e.customer_id for e in events if e.kind == "unsubscribed"} & shown
    values: dict[str, dict[int, Decimal]] = defaultdict(dict)  # currency -> customer -> value
    if shown:
        for customer_id, currency, value in session.execute(
                sa.select(CustomerValue.customer_id, CustomerValue.currency,
                          CustomerValue.lifetime_value).where(
                    CustomerValue.customer_id.in_(list(shown)),
                    CustomerValue.lifetime_value.is_not(None))):
            values[currency][customer_id] = value
    return Unsubscribes(
        count=len(gone),
        share=Decimal(100) * len(gone) / len(shown) if shown else None,
        values=[_lifetime_values(currency, values[currency], gone) for currency in _ordered(values)],
    )


def _lifetime_values(currency: str, values: dict[int, Decimal], gone: set[int]) -> LifetimeValues:
    def mean(known: list[Decimal]) -> Decimal | None:
        return sum(known, Decimal(0)) / len(known) if known else None

    left = [value for customer, value in values.items() if customer in gone]
    return LifetimeValues(
        currency=currency,
        lifetime_value=sum(left, Decimal(0)),
        mean_lifetime_value=mean(left),
        mean_lifetime_value_stayed=mean([value for customer, value in values.items()
                                         if customer not in gone]),
    )
