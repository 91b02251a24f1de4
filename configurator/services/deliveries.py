"""Subscriptions and delivery dates: what an order costs today and again per
delivery or month, when it should arrive, and the deliveries of a subscription
order on their schedule.

A catalog says how often a price is paid with `recurring:` (the engine's
`PriceBreakdown` keeps `one_off`, `per_delivery` and `per_month`) and how often a
subscription delivers with the picked options' attributes `every_days` or
`every_months`. An order keeps both in its snapshot (`recurring`), so its
deliveries follow what was ordered, whatever the catalog says later.

The estimated delivery date is counted in working days from the order: days
that are neither a weekend day nor a public holiday in the country the shop
ships from (SHIP_FROM, `CONFIGURATOR_SHIP_FROM`, default DE) nor in the delivery
country when it is known, with each country's own weekend from the `holidays`
package (Saturday and Sunday in most; Friday alone in Iran, where Thursday is a
working day); one day to handle it, the longest `lead_days` of the picked options
(made to order), then the longest `transit_days` of the picks (else
DEFAULT_TRANSIT_DAYS).
"""

from __future__ import annotations

import os
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

import holidays
import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.engine import Catalog
from configurator.services.unit_of_work import use_case
from configurator.store.deliveries import Delivery
from configurator.store.models import Order
from configurator.store.types import utcnow

CENT = Decimal("0.01")
HANDLING_DAYS = 1
DEFAULT_TRANSIT_DAYS = 2
HORIZON_DAYS = 90  # deliveries are kept planned this far ahead
LIMIT_DAYS = 366  # a lead or transit time longer than a year is a catalog mistake
OPEN = "scheduled"
SATURDAY_AND_SUNDAY = frozenset({5, 6})
SHIP_FROM = os.environ.get("CONFIGURATOR_SHIP_FROM", "DE").upper()


@dataclass(frozen=True)
class Recurrence:
    """What a configuration costs today and what is paid again, and how often it delivers."""

    today: Decimal
    one_off: Decimal
    per_delivery: Decimal
    per_month: Decimal
    every_days: int | None = None
    every_months: int | None = None
    schedule: str = ""  # the name of the option that sets the schedule ("Every two weeks")

    @property
    def recurs(self) -> bool:
        """Whether anything is paid again after today."""
        return bool(self.per_month) or (bool(self.per_delivery) and self.repeats)

    @property
    def repeats(self) -> bool:
        """Whether it is delivered more than once."""
        return bool(self.every_days or self.every_months)

    def to_json(self) -> dict[str, Any]:
        """For an order's snapshot."""
        return {
            "today": str(self.today),
            "one_off": str(self.one_off),
            "per_delivery": str(self.per_delivery),
            "per_month": str(self.per_month),
            "every_days": self.every_days,
            "every_months": self.every_months,
            "schedule": self.schedule,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Recurrence:
        """From an order's snapshot."""
        return cls(
            today=Decimal(data["today"]),
            one_off=Decimal(data["one_off"]),
            per_delivery=Decimal(data["per_delivery"]),
            per_month=Decimal(data["per_month"]),
            every_days=data.get("every_days"),
            every_months=data.get("every_months"),
            schedule=data.get("schedule", ""),
        )


def recurrence(
    catalog: Catalog,
    selection: dict[str, Any],
    *,
    name: Callable[[str, str], str] | None = None,
) -> Recurrence:
    """Today's total, the one-off part, what is paid per delivery and per month, and
    the delivery schedule of the picked options (named by `name(feature, option)`,
    for another language; else the catalog's own name)."""
    breakdown = catalog.price(selection)
    every_days = every_months = None
    schedule = ""
    for feature, option in _picked_options(catalog, selection):
        days = _whole(option.attributes.get("every_days"))
        months = _whole(option.attributes.get("every_months"))
        if days or months:
            every_days, every_months = days, months
            schedule = name(feature.id, option.id) if name else option.name
    return Recurrence(
        today=breakdown.total.quantize(CENT),
        one_off=breakdown.one_off.quantize(CENT),
        per_delivery=breakdown.per_delivery.quantize(CENT),
        per_month=breakdown.per_month.quantize(CENT),
        every_days=every_days,
        every_months=every_months,
        schedule=schedule,
    )


def of_order(order: Order) -> Recurrence | None:
    """The recurrence an order keeps, None for an order of one-off prices only."""
    data = order.snapshot.get("recurring")
    return Recurrence.from_json(data) if data else None


# ------------------------------------------------------------ delivery dates


def lead_days(catalog: Catalog, selection: dict[str, Any]) -> int:
    """Working days from the order until it should arrive, from the picks' attributes."""
    lead = transit = 0
    has_transit = False
    for _, option in _picked_options(catalog, selection):
        lead = max(lead, _whole(option.attributes.get("lead_days")) or 0)
        given = _whole(option.attributes.get("transit_days"))
        if given is not None:
            has_transit = True
            transit = max(transit, given)
    return HANDLING_DAYS + min(lead, LIMIT_DAYS) + min(
        transit if has_transit else DEFAULT_TRANSIT_DAYS, LIMIT_DAYS
    )


def estimated_delivery(
    catalog: Catalog,
    selection: dict[str, Any],
    ordered_at: datetime | None = None,
    country: str | None = None,
) -> date:
    """The day an order of these picks, placed at `ordered_at` (now), should arrive
    (in `country` when known: its public holidays are no delivery days either)."""
    start = (ordered_at or utcnow()).date()
    return add_working_days(start, lead_days(catalog, selection), country)


def add_working_days(start: date, days: int, country: str | None = None) -> date:
    """`days` working days after `start`: neither a weekend day nor a public holiday
    where the shop ships from or (when given) in the delivery country."""
    closed = [_holidays(code) for code in {SHIP_FROM, (country or SHIP_FROM).upper()}]
    weekend = set().union(*(_weekend(calendar) for calendar in closed))
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() not in weekend and not any(day in calendar for calendar in closed):
            days -= 1
    return day


def _weekend(calendar: holidays.HolidayBase | dict) -> frozenset[int]:
    """The country's weekend days (Monday is 0), as the `holidays` package knows them:
    Friday alone in Iran, Friday and Saturday in much of the Arab world; Saturday and
    Sunday for a country it does not know."""
    return frozenset(getattr(calendar, "weekend", None) or SATURDAY_AND_SUNDAY)


@cache
def _holidays(country: str) -> holidays.HolidayBase | dict:
    """The country's public holidays (years filled in as asked); none for a country
    the package does not know, so an odd code never stops an order."""
    try:
        return holidays.country_holidays(country)
    except NotImplementedError:
        return {}


def after(first: date, number: int, every_days: int | None, every_months: int | None) -> date:
    """The due date of delivery `number` (1 = `first`) on the schedule."""
    steps = number - 1
    if every_days:
        return first + timedelta(days=every_days * steps)
    if every_months:
        months = first.month - 1 + every_months * steps
        year, month = first.year + months // 12, months % 12 + 1
        return date(year, month, min(first.day, monthrange(year, month)[1]))
    return first


# ------------------------------------------------------------ deliveries


def plan(
    session: Session, order: Order, *, today: date | None = None, sent_before: date | None = None
) -> list[Delivery]:
    """Add an order's deliveries due up to HORIZON_DAYS from `today` (at least the
    first); joins the caller's unit of work. Returns those added.

    `sent_before`: deliveries due before that day are recorded as sent (history
    loaded afterwards, such as the demo data).
    """
    recurring = of_order(order)
    estimate = order.snapshot.get("estimated_delivery")
    if recurring is None and estimate is None:
        return []
    first = date.fromisoformat(estimate) if estimate else order.created_at.date()
    existing = list(
        session.scalars(
            sa.select(Delivery).where(Delivery.order_id == order.id).order_by(Delivery.number)
        )
    )
    for delivery in existing:
        if sent_before is not None and delivery.status == OPEN and delivery.due_on < sent_before:
            delivery.status = "sent"
    horizon = (today or utcnow().date()) + timedelta(days=HORIZON_DAYS)
    per_delivery = recurring.per_delivery if recurring else Decimal(order.total)
    added = []
    number = len(existing) + 1
    while True:
        if number > 1 and not (recurring and recurring.repeats):
            break
        due = after(first, number, recurring and recurring.every_days, recurring and recurring.every_months)
        if number > 1 and due > horizon:
            break
        amount = Decimal(order.total) if number == 1 else per_delivery
        sent = sent_before is not None and due < sent_before
        delivery = Delivery(
            order_id=order.id,
            number=number,
            due_on=due,
            amount=amount,
            status="sent" if sent else OPEN,
            created_at=utcnow(),
        )
        session.add(delivery)
        added.append(delivery)
        number += 1
    session.flush()
    return added


def of(session: Session, order: Order) -> list[Delivery]:
    """An order's deliveries, first first."""
    return list(
        session.scalars(
            sa.select(Delivery).where(Delivery.order_id == order.id).order_by(Delivery.number)
        )
    )


def due(session: Session, on: date | None = None) -> list[Delivery]:
    """Deliveries still to send that are due on or before `on` (today), oldest first."""
    query = (
        sa.select(Delivery)
        .join(Order, Order.id == Delivery.order_id)
        .where(Delivery.status == OPEN, Delivery.due_on <= (on or utcnow().date()))
        .where(Order.status != "cancelled")
        .order_by(Delivery.due_on, Delivery.id)
    )
    return list(session.scalars(query))


def cancel_open(session: Session, order: Order) -> int:
    """Cancel an order's deliveries not sent yet (the order is cancelled); joins the caller."""
    count = 0
    for delivery in of(session, order):
        if delivery.status == OPEN:
            delivery.status = "cancelled"
            count += 1
    return count


@use_case
def send_due(session: Session, on: date | None = None) -> list[Delivery]:
    """Record the deliveries due on or before `on` (today) as sent: the day's
    packing list went out. Returns them."""
    sent = due(session, on)
    for delivery in sent:
        delivery.status = "sent"
    return sent


def shipped(session: Session, order: Order) -> int:
    """An order delivered once went out: its delivery is sent (joins the caller).
    A subscription's deliveries go out one by one, so they stay as they are."""
    recurring = of_order(order)
    if recurring is not None and recurring.repeats:
        return 0
    count = 0
    for delivery in of(session, order):
        if delivery.status == OPEN:
            delivery.status = "sent"
            count += 1
    return count


@use_case
def extend(session: Session, *, today: date | None = None) -> int:
    """Plan the next deliveries of every running subscription up to the horizon
    (a periodic job). Returns how many were added."""
    running = sa.select(Order).where(
        Order.status != "cancelled",
        Order.id.in_(sa.select(Delivery.order_id).where(Delivery.number > 0)),
    )
    added = 0
    for order in session.scalars(running):
        recurring = of_order(order)
        if recurring is not None and recurring.repeats:
            added += len(plan(session, order, today=today))
    return added


def _picked_options(catalog: Catalog, selection: dict[str, Any]):
    picked = catalog.normalize(selection)
    for feature in catalog.model.features:
        for option in feature.options:
            if option.id in picked.get(feature.id, ()):
                yield feature, option


def _whole(value: Any) -> int | None:
    """A positive whole number of days or months from an attribute, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    number = int(value)
    return number if number > 0 and number == value else None
