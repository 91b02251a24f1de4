"""Customer value from the order history: revenue, margin, order count,
recency, frequency, RFM scores, a lifetime-value estimate and the tier.

Definitions (all money in the currency the customer buys in, with that
currency's thresholds from the tier file; orders in other currencies and
cancelled orders do not count; nothing is converted):

- revenue: the sum of the order totals before VAT (`margins.order_net`: a
  quote's net total, the net kept at checkout; an order placed without a VAT
  breakdown counts its total).
- margin: per order line, the price paid (less the order's VAT) minus the option's `cost`; the cost
  comes from the order snapshot when it has one, else from the catalog version
  the order was placed with. An option without a cost costs nothing (a payment
  method); a catalog without any cost gives no margin for its orders. An
  order converted from a quote: the quote's net total minus its lines' costs
  times their quantities.
- recency: whole days since the last order.
- frequency: orders per year = orders x 365 / days since the first order,
  counting at least 365 days, so two orders in the first week are not read as
  a hundred a year.
- RFM: 1-5 points each from the fixed bands in config/tiers.yaml.
- lifetime value: average margin per order x orders per year x
  `lifetime_years`: the margin the customer brings if they keep ordering at
  their own pace for that many more years. A deliberately simple heuristic
  rather than BG/NBD or Pareto/NBD: those fit a purchase process to many
  repeat buyers, and our histories are short and few; this one staff can
  check by hand.

The tier is the first tier of config/tiers.yaml whose thresholds the figures
meet (`tiers`). Pure functions: storing the figures and the tier is
`valuation`'s job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from configurator.services.customer_value.tiers import Scores, TierConfig, choose_tier, score
from configurator.store.value import CustomerValue

CENT = Decimal("0.01")
DAYS_PER_YEAR = Decimal(365)


@dataclass(frozen=True)
class OrderValue:
    """What one order brought: when, how much, and the margin (None: costs unknown)."""

    placed_at: datetime
    total: Decimal
    margin: Decimal | None
    currency: str

@dataclass(frozen=True)
class Totals:
    """Sums over the orders that count, before anything depends on today's date."""

    revenue: Decimal
    margin: Decimal | None
    orders_with_margin: int
    order_count: int
    first_order_at: datetime | None
    last_order_at: datetime | None

@dataclass(frozen=True)
class CustomerFigures:
    """A customer's value as of `now` (see the module docstring for each definition)."""

    revenue: Decimal
    margin: Decimal | None
    order_count: int
    first_order_at: datetime | None
    last_order_at: datetime | None
    recency_days: int | None
    orders_per_year: Decimal
    scores: Scores
    lifetime_value: Decimal | None
    tier: str | None
    currency: str = "EUR"  # the currency every amount above is in

    @property
    def usual_interval_days(self) -> Decimal | None:
        """Average days between two orders; None with fewer than two orders."""
        return usual_interval(self.first_order_at, self.last_order_at, self.order_count)

def figures(orders: Sequence[OrderValue], config: TierConfig, now: datetime) -> CustomerFigures:
    """Revenue, margin, recency, frequency, RFM, lifetime value and tier from `orders`,
    in the currency the customer buys in (when the tier file has thresholds for it)."""
    config = config.for_buyer([o.currency for o in orders if o.placed_at <= now])
    counted = [o for o in orders if o.currency == config.currency and o.placed_at <= now]
    margins = [o.margin for o in counted if o.margin is not None]
    totals = Totals(
        revenue=sum((o.total for o in counted), Decimal(0)),
        margin=sum(margins, Decimal(0)) if margins else None,
        orders_with_margin=len(margins),
        order_count=len(counted),
        first_order_at=min((o.placed_at for o in counted), default=None),
        last_order_at=max((o.placed_at for o in counted), default=None),
    )
    return derive(totals, config, now)

def as_of(stored: CustomerValue, config: TierConfig, now: datetime) -> CustomerFigures:
    """Stored totals seen from `now`: recency, frequency, scores and lifetime value
    move with time even without a new order, in the stored currency. (Assumes every order's margin was known
    when a margin is stored; the tier is whatever `derive` gives now.)"""
    totals = Totals(
        revenue=stored.revenue,
        margin=stored.margin,
        orders_with_margin=stored.order_count if stored.margin is not None else 0,
        order_count=stored.order_count,
        first_order_at=stored.first_order_at,
        last_order_at=stored.last_order_at,
    )
    return derive(totals, config.in_currency(stored.currency) or config, now)

def derive(totals: Totals, config: TierConfig, now: datetime) -> CustomerFigures:
    """Recency, frequency, RFM scores, lifetime value and tier from the totals, as of `now`."""
    first, last, count = totals.first_order_at, totals.last_order_at, totals.order_count
    recency = (now - last).days if last else None
    per_year = Decimal(0)
    if first is not None:
        span = max(Decimal((now - first).days), DAYS_PER_YEAR)
        per_year = Decimal(count) * DAYS_PER_YEAR / span
    ltv = None
    if totals.margin is not None and totals.orders_with_margin:
        average_margin = totals.margin / totals.orders_with_margin
        ltv = (average_margin * per_year * config.lifetime_years).quantize(CENT)
    scores = score(config, recency, per_year, totals.revenue)
    tier = choose_tier(
        config,
        {
            "revenue": totals.revenue,
            "margin": totals.margin,
            "orders": count,
            "rfm": scores.total,
            "ltv": ltv,
            "recency_days": recency,
        },
    )
    return CustomerFigures(
        revenue=totals.revenue.quantize(CENT),
        margin=None if totals.margin is None else totals.margin.quantize(CENT),
        order_count=count,
        first_order_at=first,
        last_order_at=last,
        recency_days=recency,
        orders_per_year=per_year.quantize(CENT),
        scores=scores,
        lifetime_value=ltv,
        tier=tier,
        currency=config.currency,
    )

def usual_interval(first: datetime | None, last: datetime | None, count: int) -> Decimal | None:
    """Average whole days between orders, from the first to the last of `count` orders."""
    if first is None or last is None or count < 2:
        return None
    return (Decimal((last - first).days) / (count - 1)).quantize(Decimal("0.1"))

def is_slipping(
    config: TierConfig, recency_days: int | None, interval_days: Decimal | None
) -> bool:
    """True when the customer has not ordered for much longer than they usually wait."""
    if recency_days is None:
        return False
    if interval_days is None:
        return recency_days > config.slipping_after_days
    return recency_days > config.slipping_factor * max(interval_days, Decimal(1))
