"""The stored value and tier of each customer: recomputed from their orders
on every order (`after_order`, part of the order's own use case) and for
everyone by `configurator customers recompute-tiers` (`recompute_all`).

The figures and their definitions are in `figures`, the tier file in `tiers`.
The tier is stored on `User.tier` (the engine reads it as `customer.tier`);
every change is an interaction on the customer's timeline. Contacts of a
business account share the account's tier, from all their orders together.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_
from configurator.services import timeline
from configurator.services.business import accounts
from configurator.services.customer_value.figures import CustomerFigures, OrderValue, figures
from configurator.services.customer_value.margins import order_margin, order_net
from configurator.services.customer_value.tiers import TierConfig, TierConfigError
from configurator.services.customer_value.tiers import tier_config as load_tier_config
from configurator.services.unit_of_work import use_case
from configurator.store.models import Order, User
from configurator.store.quotes import AccountContact, BusinessAccount
from configurator.store.types import utcnow
from configurator.store.value import CustomerValue

log = logging.getLogger(__name__)
NOT_COUNTED = ("cancelled",)


@dataclass
class RecomputeReport:
    """What `recompute_all` did: customers valued and tier changes (id, from, to)."""

    valued: int = 0
    changes: list[tuple[int, str | None, str | None]] = field(default_factory=list)

def order_values(orders: Sequence[Order]) -> list[OrderValue]:
    """The value of each order that counts (cancelled ones do not)."""
    return [
        OrderValue(order.created_at, order_net(order), order_margin(order), order.currency)
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
    ids = accounts.contact_user_ids(session, account)
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
    announce: bool | None = None,
) -> CustomerValue:
    """Recompute and store a customer's value and tier (joining the caller's use case).

    A contact of a business account gets the account's tier, from all its
    contacts' orders together, and so do the other contacts. A changed tier is
    written to `User.tier` and recorded on the timeline of whoever it changed for;
    `announce` True records it even for a customer never valued from orders before
    (a merge or its undo moves orders someone earned a tier with).
    """
    config = config or load_tier_config()
    now = now or utcnow()
    account = accounts.account_of(session, customer)
    ids = accounts.contact_user_ids(session, account) if account else [customer.id]
    by_owner = histories(session, ids)
    # A tier from before any valued order (seeded, set by hand) was not earned by orders:
    # the first order sets the tier without a "changed" entry (issue 14, item 10).
    if announce is None:
        announce = _valued_from_orders(session, ids)
    own = figures(by_owner.get(customer.id, []), config, now)
    stored = _store(session, customer.id, own, own.currency, now)
    deciding = own
    if account is not None:
        deciding = figures([o for i in ids for o in by_owner.get(i, [])], config, now)
    for user in session.scalars(sa.select(User).where(User.id.in_(ids))):
        _apply_tier(session, user, deciding, config, because, channel, actor_id, now, announce=announce)
        row = stored if user.id == customer.id else session.get(CustomerValue, user.id)
        if row is not None:
            row.tier = deciding.tier
    return stored

@use_case
def after_order(session: Session, customer: User, order: Order) -> None:
    """The hook `orders.place`, `orders.reorder` and `quotes.answers.convert_to_order`
    call: re-value the customer, in the order's own use case (one commit).

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
def after_cancel(session: Session, customer: User, order: Order, now: datetime) -> None:
    """The hook `fulfilment` calls when an order is cancelled: the order no longer
    counts, in the cancellation's own use case (a broken tier file is logged)."""
    try:
        config = load_tier_config()
    except TierConfigError as error:
        log.warning("customer value not updated: %s", error)
        return
    refresh(session, customer, now=now, config=config, because=f"order {order.number} cancelled")


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
        stored = _store(session, customer.id, own, own.currency, now)
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

def _valued_from_orders(session: Session, ids: Sequence[int]) -> bool:
    """Whether a tier was computed from orders for these customers (one account's contacts) before."""
    counted = session.scalar(
        sa.select(sa.func.max(CustomerValue.order_count)).where(CustomerValue.customer_id.in_(list(ids)))
    )
    return bool(counted)

def _apply_tier(
    session, customer, result, config, because, channel, actor_id, now, *, announce: bool = True
) -> bool:
    """Give the customer `result.tier`; True when it changed, with a timeline entry
    unless `announce` is False."""
    if customer.tier == result.tier:
        return False
    if announce:
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
        N_("Tier: %(old)s → %(new)s", old=old, new=new),
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
