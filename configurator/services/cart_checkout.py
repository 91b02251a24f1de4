"""One checkout for the whole cart: every line becomes an item of one order
(`snapshot["items"]`, see `orders.items_of`), to one address, with the terms
accepted, net/VAT/gross of the whole and one confirmation e-mail.

The order keeps each item as a single-configuration order would keep it (catalog,
selection, lines, quantity, the configuration's name and revision). Its total is
the sum; a subscription item's payments again are the order's (one schedule per
order); the expected delivery is the latest of the items'.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_
from configurator.services import cart, catalogs, checkout, deliveries, orders, timeline
from configurator.services.customer_value import valuation
from configurator.services.errors import NotOrderable
from configurator.services.messages import outbox
from configurator.services.offers import campaigns
from configurator.services.unit_of_work import use_case
from configurator.store.models import CatalogVersion, Order, User
from configurator.store.types import utcnow


@use_case
def place_order(
    session: Session,
    owner: User,
    token: str,
    *,
    terms_accepted: bool,
    address_id: int | None = None,
    new_address: checkout.AddressInput | None = None,
    now: datetime | None = None,
) -> Order:
    """Order every line of the cart as reviewed (`token`: `Cart.token` of the review)
    to one address, with the terms; empties the cart and writes the confirmation.

    CheckoutRefused without the terms or an address, or when the cart changed
    since the review; NotOrderable when a line cannot be ordered as it is.
    The same form posted again gets the order its first post placed.
    """
    now = now or utcnow()
    placed = _placed_from(session, owner, token)
    if placed is not None:
        return placed
    if not terms_accepted:
        raise checkout.CheckoutRefused(N_("Please accept the terms of sale to place the order."))
    address = checkout.delivery_address(session, owner, address_id, new_address, now=now)
    contents = cart.contents(session, owner, address.country)
    if contents.empty:
        raise checkout.CheckoutRefused(N_("Your cart is empty."))
    if contents.token != token:
        raise checkout.CheckoutRefused(N_(
            "Your cart changed since you reviewed it; please check it again."))
    order = order_contents(session, owner, contents, address, now)
    outbox.enqueue(
        session,
        checkout.confirmation(order, contents.vat),
        recipient=owner,
        dedupe_key=f"order-confirmation:{order.number}",
        now=now,
    )
    return order


def order_contents(
    session: Session, owner: User, contents: cart.Cart, address: Any, now: datetime,
    *, checkout_extra: dict[str, Any] | None = None,
) -> Order:
    """Within the caller's use case: one order of every item of `contents` (a customer's
    cart, or a guest's: `guest_cart_checkout`) for `owner`, delivered to `address`, with
    the offer's reward it carries; empties `owner`'s cart. `checkout_extra` is kept with
    the address and the terms. NotOrderable when an item cannot be ordered as it is."""
    if contents.empty:
        raise checkout.CheckoutRefused(N_("Your cart is empty."))
    if not contents.orderable:
        raise NotOrderable(N_(
            "Something in your cart cannot be ordered as it is; see the cart for what to fix."))
    order = _new_order(session, owner, contents, address, now, checkout_extra or {})
    campaigns.record_accepted(session, owner, order, now=now)
    cart.empty(session, owner)
    return order


def _new_order(
    session: Session, owner: User, contents: cart.Cart, address: Any, now: datetime,
    checkout_extra: dict[str, Any],
) -> Order:
    items = [item.snapshot for item in contents.items]
    vat = contents.vat
    kept: dict[str, Any] = {
        "items": items,
        "total": str(vat.gross),
        "estimated_delivery": _latest_delivery(session, contents, now, address.country).isoformat(),
        "cart": contents.token,
        "checkout": {
            "address": address.lines(),
            "country": address.country,
            "vat": vat.to_json(),
            "terms": {"version": checkout.TERMS_VERSION, "accepted_at": now.isoformat()},
        } | checkout_extra,
    }
    recurring = contents.recurring
    if recurring is not None:
        kept["recurring"] = recurring.to_json()
    if contents.offer is not None:  # already taken off the total, as a single order's
        kept["offer"] = contents.offer
    order = Order(
        number=orders.new_number(session, now),
        owner_id=owner.id,
        # The first item's version; every item keeps its own (`catalog_version_id`), and the
        # readers of a product line's orders look at each item (`catalogs.orders_may_hold`).
        catalog_version_id=items[0]["catalog_version_id"],
        snapshot=kept,
        total=vat.gross,
        currency=contents.currency,
        created_at=now,
    )
    orders.add_placed(session, order)
    timeline.record(
        session,
        owner.id,
        "ordered",
        N_("Order %(number)s: %(title)s", number=order.number, title=orders.title_of(order.snapshot)),
        {
            "order": order.number,
            "configuration_ids": [item["configuration"]["id"] for item in items],
            "total": str(order.total),
        },
        now=now,
    )
    valuation.after_order(session, owner, order)
    return order


def _latest_delivery(session: Session, contents: cart.Cart, now: datetime, country: str | None):
    """The day the last item should arrive: the order is delivered as one (to `country`,
    whose weekend and public holidays are no delivery days, as for a single order)."""
    days = []
    for item in contents.items:
        version = session.get(CatalogVersion, item.snapshot["catalog_version_id"])
        catalog = catalogs.engine_catalog(version)
        days.append(deliveries.estimated_delivery(catalog, item.snapshot["selection"], now, country))
    return max(days)


def _placed_from(session: Session, owner: User, token: str) -> Order | None:
    """The owner's newest order, when it was placed from this very cart (a form posted twice)."""
    newest = session.scalar(
        sa.select(Order)
        .where(Order.owner_id == owner.id)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(1)
    )
    if newest is not None and token and newest.snapshot.get("cart") == token:
        return newest
    return None

