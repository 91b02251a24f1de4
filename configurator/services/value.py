"""Customer value from the order history: revenue, margin, order count,
recency, frequency, RFM scores, a lifetime-value estimate and the tier.

Definitions (all money in the tier file's currency; other currencies and
cancelled orders do not count):

- revenue: the sum of the order totals.
- margin: per order line, the price paid minus the option's `cost`; the cost
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
meet. It is stored on `User.tier` (the engine reads it as `customer.tier`),
recomputed on every order and by `configurator customers recompute-tiers`;
every change is an interaction on the customer's timeline. Contacts of a
business account share the account's tier, from all their orders together.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.services import business, timeline
from configurator.services.margins import order_margin
from configurator.services.tiers import Scores, TierConfig, TierConfigError, choose_tier, score
from configurator.services.tiers import tier_config as load_tier_config
from configurator.services.unit_of_work import use_case
from configurator.store.models import Order, User
from configurator.store.quotes import AccountContact, BusinessAccount
from configurator.store.types import utcnow
from configurator.store.value import CustomerValue

log = logging.getLogger(__name__)
CENT = Decimal("0.01")
DAYS_PER_YEAR = Decimal(365)
NOT_COUNTED = ("cancelled",)


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

    @property
    def usual_interval_days(self) -> Decimal | None:
        """Average days between two orders; None with fewer than two orders."""
        return usual_interval(self.first_order_at, self.last_order_at, self.order_count)


@dataclass
class RecomputeReport:
    """What `recompute_all` did: customers valued and tier changes (id, from, to)."""

    valued: int = 0
    changes: list[tuple[int, str | None, str | None]] = field(default_factory=list)


# ------------------------------------------------------------------ pure figures


def figures(orders: Sequence[OrderValue], config: TierConfig, now: datetime) -> CustomerFigures:
    """Revenue, margin, recency, frequency, RFM, lifetime value and tier from `orders`."""
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
    move with time even without a new order. (Assumes every order's margin was known
    when a margin is stored; the tier is whatever `derive` gives now.)"""
    totals = Totals(
        revenue=stored.revenue,
        margin=stored.margin,
        orders_with_margin=stored.order_count if stored.margin is not None else 0,
        order_count=stored.order_count,
        first_order_at=stored.first_order_at,
        last_order_at=stored.last_order_at,
    )
    return derive(totals, config, now)


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


# ------------------------------------------------------------------ orders -> value


def order_values(orders: Sequence[Order]) -> list[OrderValue]:
    """The value of each order that counts (cancelled ones do not)."""
    return [
        OrderValue(order.created_at, order.total, order_margin(order), order.currency)
        for order in orders
        if order.status not in NOT_COUNTED
    ]


def histories(session: Session, owner_ids: Sequence[int] | None = None) -> dict[int, list[OrderValue]]:
    """The counted orders of these customers (default: everyone), per customer id."""
    query = sa.select(Order).order_by(Order.created_at)
    if owner_ids is not None:
        query = query.where(Order.owner_id.in_(list(owner_ids)))
    by_owner: dict[int, list[Order]] = defaultdict(list)
    for order in session.scalars(query):
        by_owner[order.owner_id].append(order)
    return {owner: order_values(owned) for owner, owned in by_owner.items()}


def customer_figures(
    session: Session, customer: User, *, now: datetime | None = None, config: TierConfig | None = None
) -> CustomerFigures:
    """A customer's own figures as of `now`, computed from their orders."""
    config = config or load_tier_config()
    return figures(histories(session, [customer.id]).get(customer.id, []), config, now or utcnow())


def account_figures(
    session: Session,
    account: BusinessAccount,
    *,
    now: datetime | None = None,
    config: TierConfig | None = None,
) -> CustomerFigures:
    """A business account's figures: all its contacts' orders together."""
    config = config or load_tier_config()
    ids = business.contact_user_ids(session, account)
    by_owner = histories(session, ids)
    return figures([o for i in ids for o in by_owner.get(i, [])], config, now or utcnow())


@use_case
def refresh(
    session: Session,
    customer: User,
    *,
    now: datetime | None = None,
    config: TierConfig | None = None,
    because: str = "",
    channel: str = "web",
    actor_id: int | None = None,
) -> CustomerValue:
    """Recompute and store a customer's value and tier (joining the caller's use case).

    A contact of a business account gets the account's tier, from all its
    contacts' orders together, and so do the other contacts. A changed tier is
    written to `User.tier` and recorded on the timeline of whoever it changed for.
    """
    config = config or load_tier_config()
    now = now or utcnow()
    account = business.account_of(session, customer)
    ids = business.contact_user_ids(session, account) if account else [customer.id]
    by_owner = histories(session, ids)
    own = figures(by_owner.get(customer.id, []), config, now)
    stored = _store(session, customer.id, own, config.currency, now)
    deciding = own
    if account is not None:
        deciding = figures([o for i in ids for o in by_owner.get(i, [])], config, now)
    for user in session.scalars(sa.select(User).where(User.id.in_(ids))):
        _apply_tier(session, user, deciding, config, because, channel, actor_id, now)
        row = stored if user.id == customer.id else session.get(CustomerValue, user.id)
        if row is not None:
            row.tier = deciding.tier
    return stored


@use_case
def after_order(session: Session, customer: User, order: Order) -> None:
    """The hook `orders.place` and `orders.reorder` call: re-value the customer.

    A broken tier file must not stop an order, so it is logged and skipped
    (`configurator customers recompute-tiers` reports it in one line).
    """
    try:
        config = load_tier_config()
    except TierConfigError as error:
        log.warning("customer value not updated: %s", error)
        return
    refresh(session, customer, now=order.created_at, config=config, because=f"order {order.number}")


@use_case
def recompute_all(
    session: Session,
    *,
    now: datetime | None = None,
    config: TierConfig | None = None,
    actor_id: int | None = None,
) -> RecomputeReport:
    """Re-value every customer (staff are not valued), accounts as a whole, in one go."""
    config = config or load_tier_config()
    now = now or utcnow()
    report = RecomputeReport()
    by_owner = histories(session)
    links = session.execute(sa.select(AccountContact.user_id, AccountContact.account_id))
    account_of = {user_id: account_id for user_id, account_id in links}
    contacts: dict[int, list[int]] = defaultdict(list)
    for user_id, account_id in account_of.items():
        contacts[account_id].append(user_id)
    account_result = {
        account_id: figures([o for i in ids for o in by_owner.get(i, [])], config, now)
        for account_id, ids in contacts.items()
    }
    customers = session.scalars(sa.select(User).where(User.role == "customer").order_by(User.id))
    for customer in customers:
        own = figures(by_owner.get(customer.id, []), config, now)
        deciding = account_result.get(account_of.get(customer.id), own)
        stored = _store(session, customer.id, own, config.currency, now)
        stored.tier = deciding.tier
        old = customer.tier
        if _apply_tier(session, customer, deciding, config, "recomputed", "staff", actor_id, now):
            report.changes.append((customer.id, old, deciding.tier))
        report.valued += 1
    return report


def _store(
    session: Session, customer_id: int, result: CustomerFigures, currency: str, now: datetime
) -> CustomerValue:
    stored = session.get(CustomerValue, customer_id) or CustomerValue(customer_id=customer_id)
    session.add(stored)
    _copy(result, stored, currency, now)
    return stored


def _apply_tier(session, customer, result, config, because, channel, actor_id, now) -> bool:
    """Give the customer `result.tier`; True (and a timeline entry) when it changed."""
    if customer.tier == result.tier:
        return False
    _record_tier_change(session, customer, result, config, because, channel, actor_id, now)
    customer.tier = result.tier
    return True


def _copy(result: CustomerFigures, stored: CustomerValue, currency: str, now: datetime) -> None:
    stored.currency = currency
    stored.revenue = result.revenue
    stored.margin = result.margin
    stored.order_count = result.order_count
    stored.first_order_at = result.first_order_at
    stored.last_order_at = result.last_order_at
    stored.recency_score = result.scores.recency
    stored.frequency_score = result.scores.frequency
    stored.monetary_score = result.scores.monetary
    stored.lifetime_value = result.lifetime_value
    stored.tier = result.tier
    stored.computed_at = now


def _record_tier_change(session, customer, result, config, because, channel, actor_id, now):
    old, new = config.tier_name(customer.tier), config.tier_name(result.tier)
    timeline.record(
        session,
        customer.id,
        "tier_changed",
        f"Tier: {old} → {new}",
        {
            "from": customer.tier,
            "to": result.tier,
            "because": because,
            "revenue": str(result.revenue),
            "orders": result.order_count,
            "rfm": result.scores.total,
        },
        channel=channel,
        actor_id=actor_id,
        now=now,
    )
