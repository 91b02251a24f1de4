"""The staff's deliveries desk: every order's planned deliveries (a subscription's
on its schedule, a one-off order's single one), filtered by due day and status,
and marking one as shipped when its parcel went out. Staff only: for anyone
else the deliveries do not exist (NotFound)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_
from configurator.services import deliveries, timeline
from configurator.services.errors import NotFound, ServiceError
from configurator.services.unit_of_work import use_case
from configurator.store.deliveries import Delivery
from configurator.store.models import Order, User
from configurator.store.types import utcnow

STATUSES = ("scheduled", "sent", "cancelled")
LIMIT = 200  # one screen of a day's packing; narrow the dates for more


class DeliveryRefused(ServiceError, ValueError):
    """A delivery cannot be marked shipped (already sent, cancelled, its order cancelled)."""


@dataclass(frozen=True)
class DeliveryFilter:
    """Which deliveries the desk lists: due between two days (either open), in a status
    (None: every status)."""

    start: date | None = None
    end: date | None = None
    status: str | None = "scheduled"


def listing(session: Session, viewer: User, wanted: DeliveryFilter) -> list[Delivery]:
    """The deliveries that match, soonest due first (at most LIMIT)."""
    _check_staff(viewer)
    query = sa.select(Delivery).join(Order, Order.id == Delivery.order_id)
    if wanted.start is not None:
        query = query.where(Delivery.due_on >= wanted.start)
    if wanted.end is not None:
        query = query.where(Delivery.due_on <= wanted.end)
    if wanted.status is not None:
        if wanted.status not in STATUSES:
            raise DeliveryRefused(N_("There is no delivery status “%(status)s”.", status=wanted.status))
        query = query.where(Delivery.status == wanted.status)
    query = query.order_by(Delivery.due_on, Delivery.id).limit(LIMIT)
    return list(session.scalars(query))


@use_case
def mark_shipped(
    session: Session, viewer: User, delivery_id: int, *, now: datetime | None = None
) -> Delivery:
    """Record that a planned delivery went out; the customer's timeline says so.

    DeliveryRefused when it is not planned any more (sent, cancelled) or its
    order is cancelled; NotFound for anyone but staff, or no such delivery.
    """
    _check_staff(viewer)
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound("There is no such delivery.")
    order = delivery.order
    if delivery.status != deliveries.OPEN or order.status == "cancelled":
        raise DeliveryRefused(N_(
            "Delivery %(number)s of order %(order)s is not planned any more, so it cannot be shipped.",
            number=delivery.number, order=order.number))
    delivery.status = "sent"
    timeline.record(
        session,
        order.owner_id,
        "delivery_sent",
        N_("Order %(order)s: delivery %(delivery)s shipped", order=order.number,
           delivery=delivery.number),
        {"order": order.number, "delivery": delivery.number, "due_on": delivery.due_on.isoformat()},
        channel="staff",
        actor_id=viewer.id,
        now=now or utcnow(),
    )
    session.flush()
    return delivery


def _check_staff(viewer: User) -> None:
    if not viewer.is_staff:
        raise NotFound("There is no such page.")
