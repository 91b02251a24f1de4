"""A consumable likely running out: the customer's own order rhythm says when.

From a customer's orders of a refill product line (the coffee), the usual
interval is the median gap between two orders (the median, so one late order
does not shift it much). A reminder is due from LEAD before the next expected
order until one more usual interval has passed: by then the customer has
stopped, and a reminder would nag. A single order has no rhythm yet.

A cart order counts for each product line it holds: a bike and a coffee
ordered together are one order in the coffee's rhythm. Its coffee cannot be
reordered alone in one click, so that reminder opens the configurator filled
in with it instead.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_, Day, Joined, Phrase
from configurator.services import catalogs
from configurator.services.messages.outbox import Draft
from configurator.services.triggers.candidates import Candidate
from configurator.store.models import Order, User

KIND = "refill_reminder"
LEAD = timedelta(days=3)
MIN_INTERVAL = timedelta(days=3)  # two orders in a few days are one stock-up, not a rhythm


def candidates(session: Session, product_lines: tuple[str, ...], now: datetime) -> Iterator[Candidate]:
    """A reminder for each customer whose refill of one of `product_lines` is due now."""
    if not product_lines:
        return
    histories: dict[tuple[int, str], list[Bought]] = {}
    query = (
        sa.select(Order)
        .join(User, User.id == Order.owner_id)
        .where(
            sa.or_(*(catalogs.orders_may_hold(line) for line in product_lines)),
            Order.status != "cancelled",
            Order.created_at <= now,
            User.erased_at.is_(None),
        )
        .order_by(Order.owner_id, Order.created_at, Order.id)
    )
    for order in session.scalars(query):
        for line in product_lines:
            bought = _bought(order, line)
            if bought is not None:
                histories.setdefault((order.owner_id, line), []).append(bought)
    for history in histories.values():
        interval = usual_interval([bought.order for bought in history])
        if interval is not None and is_due(history[-1].order.created_at, interval, now):
            yield _reminder(history[-1], interval, now)


@dataclass(frozen=True)
class Bought:
    """An order holding the refill line: the order, and which of its items is the line."""

    order: Order
    item: int  # index in `Order.items`
    name: str  # the product line's name as ordered

    @property
    def in_cart_order(self) -> bool:
        """Whether the order came from the cart (its items cannot be reordered one click)."""
        return "items" in self.order.snapshot


def _bought(order: Order, catalog_id: str) -> Bought | None:
    """The order's newest item of the product line, or None; a cart order holds items of
    several lines, each its own rhythm. An order from a quote cannot be reordered."""
    found = None
    for index, item in enumerate(order.items):
        if (item.get("catalog") or {}).get("id") == catalog_id and item.get("selection"):
            found = Bought(order, index, item["catalog"]["name"])
    return found


def usual_interval(orders: list[Order]) -> timedelta | None:
    """The median gap between consecutive orders; None without a rhythm."""
    gaps = [b.created_at - a.created_at for a, b in zip(orders, orders[1:], strict=False)]
    gaps = [gap for gap in gaps if gap >= MIN_INTERVAL]
    return statistics.median(gaps) if gaps else None


def is_due(last: datetime, interval: timedelta, now: datetime) -> bool:
    """From LEAD before the expected next order, for one more interval."""
    expected = last + interval
    return expected - LEAD <= now < expected + interval


def _reminder(last: Bought, interval: timedelta, now: datetime) -> Candidate:
    order, name = last.order, last.name
    days = round(interval / timedelta(days=1))
    since = (now - order.created_at).days
    expected = order.created_at + interval
    # Phrases: the outbox writes them in the customer's saved language.
    draft = Draft(
        kind=KIND,
        subject=N_("Running low? Reorder your %(name)s", name=name),
        body=Joined((
            N_("You usually order %(name)s every %(days)s days. Your last order, %(number)s, "
               "was on %(last)s, so it is likely to run out around %(expected)s.",
               name=name, days=days, number=order.number, last=Day(order.created_at.date()),
               expected=Day(expected.date())),
            _how_to_reorder(last),
        ), "\n\n"),
        reason=N_("You order %(name)s about every %(days)s days and your last order was "
                  "%(since)s days ago.", name=name, days=days, since=since),
        **_action(last),
        purpose="service",
    )
    return Candidate(order.owner, draft, _moment(last))


def _how_to_reorder(last: Bought) -> Phrase:
    if last.in_cart_order:
        return N_("One click fills in the configurator with the same again, checked against "
                  "today's catalog.")
    return N_("One click orders the same again, checked against today's catalog.")


def _action(last: Bought) -> dict:
    """A single order is reordered in one click; an item of a cart order (ordered with
    other lines) starts the configurator from that item, to order it alone."""
    if last.in_cart_order:
        catalog_id = last.order.items[last.item]["catalog"]["id"]
        return {"action_url": f"/shop/{catalog_id}?order={last.order.number}&item={last.item}",
                "action_label": N_("Open it and order")}
    return {"action_url": f"/account/orders/{last.order.number}/reorder",
            "action_label": N_("Reorder in one click")}


def _moment(last: Bought) -> str:
    """The dedupe key: one reminder per order and, in a cart order, per product line."""
    if last.in_cart_order:
        return f"refill:{last.order.number}:{last.order.items[last.item]['catalog']['id']}"
    return f"refill:{last.order.number}"
