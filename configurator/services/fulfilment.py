"""An order's way to the customer: placed, confirmed, in production, shipped,
delivered, or cancelled. Staff move it one step at a time; the customer sees
each step on the order, the timeline and an e-mail, and may cancel while
nothing is built yet."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_
from configurator.services import deliveries, orders, timeline
from configurator.services.customer_value import valuation
from configurator.services.errors import NotFound, ServiceError
from configurator.services.messages import outbox
from configurator.services.unit_of_work import use_case
from configurator.store.models import Order, User
from configurator.store.types import utcnow

# A status as a label ("Status: Confirmed") and as a word in a sentence ("is confirmed").
STATUS_NAMES = {
    "placed": N_("Order placed"),
    "confirmed": N_("Confirmed"),
    "in_production": N_("In production"),
    "shipped": N_("Shipped"),
    "delivered": N_("Delivered"),
    "cancelled": N_("Cancelled"),
}
STATUS_WORDS = {
    "placed": N_("placed"),
    "confirmed": N_("confirmed"),
    "in_production": N_("in production"),
    "shipped": N_("shipped"),
    "delivered": N_("delivered"),
    "cancelled": N_("cancelled"),
}
NEXT = {
    "placed": ("confirmed", "cancelled"),
    "confirmed": ("in_production", "cancelled"),
    "in_production": ("shipped",),
    "shipped": ("delivered",),
}
CUSTOMER_MAY_CANCEL = ("placed", "confirmed")  # nothing has been built yet
# What the status e-mail tells the customer after staff moved the order.
STATUS_NEWS = {
    "confirmed": N_("Production is planned. You can still cancel it until production starts."),
    "in_production": N_("We are building it now."),
    "shipped": N_("It is on its way to you."),
    "delivered": N_("It has been delivered. We hope you enjoy it."),
    "cancelled": N_("We cancelled it. If you paid already, we refund you."),
}


class StatusRefused(ServiceError):
    """A status change that is not the order's next step, or no longer allowed."""


def status_name(status: str) -> str:
    """A status as a label, a `Phrase` the pages and e-mails write in the reader's language."""
    return STATUS_NAMES.get(status, status.replace("_", " ").capitalize())


def status_word(status: str) -> str:
    """A status as a word inside a sentence ("is in production"), a `Phrase` too."""
    return STATUS_WORDS.get(status, status.replace("_", " "))


def next_steps(order: Order) -> tuple[str, ...]:
    """Where staff may move the order from here."""
    return NEXT.get(order.status, ())


def may_cancel(order: Order) -> bool:
    """Whether the customer may still cancel."""
    return order.status in CUSTOMER_MAY_CANCEL and not order.from_quote


@use_case
def move(
    session: Session, staff: User, number: str, status: str, *, now: datetime | None = None
) -> Order:
    """Staff move an order to its next status; StatusRefused when it is not a next step."""
    if not staff.is_staff:
        raise NotFound("There is no such order.")
    order = orders.get(session, staff, number)
    if status not in next_steps(order):
        raise StatusRefused(N_(
            "Order %(number)s is %(status)s; it cannot become %(next)s now.",
            number=order.number, status=status_word(order.status), next=status_word(status)))
    _set(session, order, status, actor=staff, channel="staff", now=now)
    outbox.enqueue(
        session,
        status_news(order),
        recipient=order.owner,
        dedupe_key=f"order-status:{order.number}:{status}",
        now=now,
    )
    return order


def status_news(order: Order) -> outbox.Draft:
    """The e-mail that tells the customer their order's new status (written in their
    saved language by the outbox)."""
    status = status_word(order.status)
    news = STATUS_NEWS.get(order.status)
    said = N_("Your order %(number)s is %(status)s.", number=order.number, status=status)
    return outbox.Draft(
        kind="order_status",
        subject=N_("Your order %(number)s is %(status)s", number=order.number, status=status),
        body=N_("%(said)s %(news)s", said=said, news=news) if news else said,
        reason=N_("Your order %(number)s changed its status.", number=order.number),
        action_url=f"/account/orders/{order.number}",
        action_label=N_("See your order"),
    )


@use_case
def cancel(session: Session, owner: User, number: str, *, now: datetime | None = None) -> Order:
    """The customer cancels their order while it is placed or confirmed."""
    order = orders.get(session, owner, number)
    if order.owner_id != owner.id:
        raise NotFound("There is no such order.")
    if not may_cancel(order):
        raise StatusRefused(N_(
            "Order %(number)s is %(status)s: it can no longer be cancelled here. "
            "Please contact us.", number=order.number, status=status_word(order.status)))
    _set(session, order, "cancelled", actor=owner, channel="web", now=now)
    return order


def _set(session, order: Order, status: str, *, actor: User, channel: str, now) -> None:
    before = order.status
    order.status = status
    if status == "cancelled":
        deliveries.cancel_open(session, order)  # a cancelled subscription delivers no more
    elif status == "shipped":
        deliveries.shipped(session, order)
    timeline.record(
        session,
        order.owner_id,
        "order_status",
        N_("Order %(number)s: %(status)s", number=order.number, status=status_word(status)),
        {"order": order.number, "from": before, "to": status},
        channel=channel,
        actor_id=actor.id,
        now=now or utcnow(),
    )
    if status == "cancelled":
        # A cancelled order no longer counts: the owner's stored value and tier
        # follow in this same unit of work, as they do when an order is placed.
        session.flush()
        valuation.after_cancel(session, session.get(User, order.owner_id), order, now or utcnow())
