"""A consumable likely running out: the customer's own order rhythm says when.

From a customer's orders of a refill product line (the coffee), the usual
interval is the median gap between two orders (the median, so one late order
does not shift it much). A reminder is due from LEAD before the next expected
order until one more usual interval has passed: by then the customer has
stopped, and a reminder would nag. A single order has no rhythm yet.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_, Day, Joined
from configurator.services.messages.outbox import Draft
from configurator.services.triggers.candidates import Candidate
from configurator.store.models import CatalogVersion, Order, User

KIND = "refill_reminder"
LEAD = timedelta(days=3)
MIN_INTERVAL = timedelta(days=3)  # two orders in a few days are one stock-up, not a rhythm


def candidates(session: Session, product_lines: tuple[str, ...], now: datetime) -> Iterator[Candidate]:
    """A reminder for each customer whose refill of one of `product_lines` is due now."""
    histories: dict[tuple[int, str], list[Order]] = {}
    query = (
        sa.select(Order, CatalogVersion.catalog_id)
        .join(CatalogVersion, CatalogVersion.id == Order.catalog_version_id)
        .join(User, User.id == Order.owner_id)
        .where(
            CatalogVersion.catalog_id.in_(product_lines),
            Order.status != "cancelled",
            Order.created_at <= now,
            User.erased_at.is_(None),
        )
        .order_by(Order.owner_id, Order.created_at)
    )
    for order, catalog_id in session.execute(query):
        if order.snapshot.get("selection"):  # an order from a quote cannot be reordered
            histories.setdefault((order.owner_id, catalog_id), []).append(order)
    for orders in histories.values():
        interval = usual_interval(orders)
        if interval is not None and is_due(orders[-1].created_at, interval, now):
            yield _reminder(orders[-1], interval, now)


def usual_interval(orders: list[Order]) -> timedelta | None:
    """The median gap between consecutive orders; None without a rhythm."""
    gaps = [b.created_at - a.created_at for a, b in zip(orders, orders[1:], strict=False)]
    gaps = [gap for gap in gaps if gap >= MIN_INTERVAL]
    return statistics.median(gaps) if gaps else None


def is_due(last: datetime, interval: timedelta, now: datetime) -> bool:
    """From LEAD before the expected next order, for one more interval."""
    expected = last + interval
    return expected - LEAD <= now < expected + interval


def _reminder(last: Order, interval: timedelta, now: datetime) -> Candidate:
    name = last.snapshot["catalog"]["name"]
    days = round(interval / timedelta(days=1))
    since = (now - last.created_at).days
    expected = last.created_at + interval
    # Phrases: the outbox writes them in the customer's saved language.
    draft = Draft(
        kind=KIND,
        subject=N_("Running low? Reorder your %(name)s", name=name),
        body=Joined((
            N_("You usually order %(name)s every %(days)s days. Your last order, %(number)s, "
               "was on %(last)s, so it is likely to run out around %(expected)s.",
               name=name, days=days, number=last.number, last=Day(last.created_at.date()),
               expected=Day(expected.date())),
            N_("One click orders the same again, checked against today's catalog."),
        ), "\n\n"),
        reason=N_("You order %(name)s about every %(days)s days and your last order was "
                  "%(since)s days ago.", name=name, days=days, since=since),
        action_url=f"/account/orders/{last.number}/reorder",
        action_label=N_("Reorder in one click"),
        purpose="service",
    )
    return Candidate(last.owner, draft, f"refill:{last.number}")
