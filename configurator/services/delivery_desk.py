"""The staff's deliveries desk: every order's planned deliveries (a subscription's
on its schedule, a one-off order's single one), filtered by due day and status,
paged LIMIT at a time (keyset, soonest due first), and marking one as shipped
when its parcel went out, which e-mails the customer (through the outbox, in
their language). Staff only: for anyone else the deliveries do not exist
(NotFound)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_
from configurator.services import deliveries, guest_records, paging, timeline
from configurator.services.errors import NotFound, ServiceError
from configurator.services.messages import outbox
from configurator.services.unit_of_work import use_case
from configurator.store.deliveries import Delivery
from configurator.store.models import Order, User
from configurator.store.types import utcnow

STATUSES = ("scheduled", "sent", "cancelled")
LIMIT = 200  # one page of the desk: a day's packing


class DeliveryRefused(ServiceError, ValueError):
    """A delivery cannot be marked shipped (already sent, cancelled, its order cancelled)."""


@dataclass(frozen=True)
class DeliveryFilter:
    """Which deliveries the desk lists: due between two days (either open), in a status
    (None: every status)."""

    start: date | None = None
    end: date | None = None
    status: str | None = "scheduled"


def listing(
    session: Session, viewer: User, wanted: DeliveryFilter, *, cursor: str | None = None,
    size: int = LIMIT,
) -> paging.Page[Delivery]:
    """A page of the deliveries that match, soonest due first (`cursor`: from a page's
    `next_cursor` or `previous_cursor`; InvalidCursor for one we did not make)."""
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
    return paging.keyset_page(
        session, query, (Delivery.due_on, Delivery.id), lambda d: (d.due_on, d.id), cursor, size,
        ascending=True, max_size=LIMIT,
    )


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
    owner = order.owner
    # A guest's record holds no mailbox: its orders go to the address the guest gave.
    address = (owner.email.removesuffix(guest_records.GUEST_DOMAIN)
               if guest_records.is_guest(owner) else None)
    outbox.enqueue(session, _shipped_email(order, delivery), recipient=owner, to_address=address,
                   dedupe_key=f"delivery-shipped:{delivery.id}", now=now)
    session.flush()
    return delivery


def _shipped_email(order: Order, delivery: Delivery) -> outbox.Draft:
    """The customer's e-mail that a parcel is on its way (phrases: in their language)."""
    return outbox.Draft(
        kind="delivery_shipped",
        subject=N_("Order %(order)s: your delivery is on its way", order=order.number),
        body=N_(
            "Hello %(name)s,\n\ndelivery %(delivery)s of your order %(order)s left us today "
            "and is on its way to you.",
            name=order.owner.name, delivery=delivery.number, order=order.number),
        reason=N_("You ordered %(order)s from us.", order=order.number),
        action_url=f"/account/orders/{order.number}",
        action_label=N_("Open the order"),
    )


def _check_staff(viewer: User) -> None:
    if not viewer.is_staff:
        raise NotFound("There is no such page.")
