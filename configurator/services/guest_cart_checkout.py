"""A guest's cart ordered as one order with several items: the e-mail address, the
name and address, the terms, VAT of the delivery country, as a customer's cart
checkout (`cart_checkout.order_contents` makes the order) and as a guest's order
of one configuration (`guest_orders.begin`: the guest record of the address, the
review form's token against a second post; the confirmation with the claim link).

Each item becomes a saved configuration of the guest record, so the order, its
configurations and its timeline move to the account of that address once it is
confirmed, or by the confirmation's link (`guest_claims`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_
from configurator.services import cart_checkout, checkout, guest_carts, guest_orders
from configurator.services.checkout import AddressInput, CheckoutRefused
from configurator.services.configuring import configurations
from configurator.services.unit_of_work import use_case
from configurator.store.models import Order
from configurator.store.types import utcnow


@use_case
def place_order(
    session: Session,
    cart_token: str | None,
    reviewed: str,
    email: str,
    *,
    address: AddressInput,
    terms_accepted: bool,
    locale: str | None = None,
    submission: str | None = None,
    now: datetime | None = None,
) -> Order:
    """Order every item of the guest cart of `cart_token` as reviewed (`reviewed`: the
    review's `Cart.token`) for the guest of `email`, delivered to `address`; the cart is
    gone and the confirmation goes to `email` (in `locale`).

    The same review form (`submission`) posted again gets the order its first post
    placed. CheckoutRefused without the terms, for a bad e-mail or address, an empty
    cart or one changed since the review (nothing is ordered, the cart stays);
    NotOrderable when an item cannot be ordered as it is.
    """
    now = now or utcnow()
    placed = guest_orders.placed_with(session, email, submission)
    if placed is None:  # else the cart is gone with the first post
        guest_carts.lock(session, cart_token)  # a post at the same moment waits for this one
        placed = guest_orders.placed_with(session, email, submission)
    if placed is not None:
        return placed
    # The cart is checked before the guest record is made or locked, so a refusal
    # leaves nothing behind (a savepoint of SQLite's driver outlives the rollback).
    contents = guest_carts.contents(session, cart_token, address.country)
    if contents.empty:
        raise CheckoutRefused(N_("Your cart is empty."))
    if contents.token != reviewed:
        raise CheckoutRefused(N_("Your cart changed since you reviewed it; please check it again."))
    guest, _ = guest_orders.begin(session, email, address, terms_accepted=terms_accepted,
                                  locale=locale, submission=submission, now=now)
    kept_address = checkout.add_address(session, guest, address, now=now)
    for item in contents.items:
        if item.snapshot is not None:  # else order_contents refuses the whole
            _save_for(session, guest, item, now)
    submission = guest_orders.submission_token(submission)
    order = cart_checkout.order_contents(
        session, guest, contents, kept_address, now,
        checkout_extra={"guest": True} | ({"submission": submission} if submission else {}))
    guest_carts.take(session, cart_token)
    guest_orders.send_confirmation(session, guest, order, contents.vat, now)
    return order


def _save_for(session: Session, guest, item: guest_carts.GuestItem, now: datetime) -> None:
    """The item as a configuration of the guest record, named in the order's item."""
    saved = configurations.create(session, guest, item.item.catalog_id, item.item.name,
                                  item.item.selection, version=item.item.catalog_version, now=now)
    item.snapshot["configuration"] = {"id": saved.id, "name": saved.name, "revision": 1}
