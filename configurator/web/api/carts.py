"""The cart over the API: read it, put configurations in, change how many, take them
out, and order it all as one order (the same services as `/account/cart`)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from configurator.services import cart, cart_checkout, checkout
from configurator.services.errors import NotFound
from configurator.store.models import User
from configurator.web.api import cart_schemas as schemas
from configurator.web.api.operations import operation
from configurator.web.api.orders import order_view
from configurator.web.api.schemas import OrderSchema
from configurator.web.database import db
from configurator.web.i18n import translate

TAG = "Cart"
LINE = "<int:line_id>"


def _own_line(user: User, line_id: int) -> None:
    """NotFound unless the line is in the user's cart (someone else's is a 404 too)."""
    if all(line.id != line_id for line in cart.lines(db.session, user)):
        raise NotFound("There is no such line in your cart.")


@operation("/cart", "GET", scope="orders:read", tag=TAG, response=schemas.CartSchema)
def get_cart(user: User) -> dict[str, Any]:
    """Get your cart as the checkout would order it now: lines, totals and `token`.

    The totals are in your default address's country; `problems` and each line's
    `problem` say what keeps the cart from being ordered as it is.
    """
    return cart_view(user)


@operation("/cart/items", "POST", scope="orders:write", tag=TAG, body=schemas.CartAddSchema,
           response=schemas.CartSchema, status=201)
def add_cart_item(user: User, body: dict[str, Any]) -> tuple[dict[str, Any], dict]:
    """Put one of your configurations into the cart (its newest revision is what is ordered).

    Added again, its quantity grows. 409 (not-orderable) beyond 99 of one configuration
    or 20 lines.
    """
    cart.add(db.session, user, body["configuration_id"], body["quantity"])
    return cart_view(user), {"Location": url_for("api.get_cart")}


@operation(f"/cart/items/{LINE}", "PATCH", scope="orders:write", tag=TAG,
           body=schemas.CartQuantitySchema, response=schemas.CartSchema, find=_own_line)
def change_cart_item(user: User, line_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Change how many of a cart line are ordered (1-99)."""
    cart.set_quantity(db.session, user, line_id, body["quantity"])
    return cart_view(user)


@operation(f"/cart/items/{LINE}", "DELETE", scope="orders:write", tag=TAG,
           response=schemas.CartSchema, find=_own_line)
def remove_cart_item(user: User, line_id: int) -> dict[str, Any]:
    """Take a line out of the cart (the configuration stays saved)."""
    cart.remove(db.session, user, line_id)
    return cart_view(user)


@operation("/cart/checkout", "POST", scope="orders:write", tag=TAG,
           body=schemas.CartCheckoutSchema, response=OrderSchema, status=201)
def checkout_cart(user: User, body: dict[str, Any]) -> tuple[dict[str, Any], dict]:
    """Order every line of the cart as one order, as reviewed (`token` of `GET /cart`).

    To a saved address (`address_id`) or a new one (`address`), with
    `terms_accepted`. Send an `Idempotency-Key`: a retry gets the first answer,
    and the same `token` again returns the order it placed. 409 (not-orderable)
    when a line cannot be ordered as it is; 422 when the cart changed since
    `token`, is empty, or without the terms or an address.
    """
    address = body["address"]
    placed = cart_checkout.place_order(
        db.session, user, body["token"], terms_accepted=body["terms_accepted"],
        address_id=body["address_id"],
        new_address=checkout.AddressInput(**address) if address else None,
    )
    return order_view(placed), {"Location": url_for("api.get_order", number=placed.number)}


def cart_view(user: User) -> dict[str, Any]:
    """What CartSchema dumps: the cart as it would be ordered now."""
    contents = cart.contents(db.session, user)
    vat = contents.vat
    return {
        "items": [
            {
                "line_id": item.line.id,
                "configuration_id": item.configuration.id,
                "name": item.configuration.name,
                "catalog_id": item.configuration.catalog_id,
                "revision": item.revision.number,
                "quantity": item.quantity,
                "unit_total": item.unit_total,
                "total": item.snapshot["total"] if item.snapshot else None,
                "problem": translate(item.problem) if item.problem is not None else None,
            }
            for item in contents.items
        ],
        "country": contents.country,
        "currency": contents.currency,
        "net": vat.net,
        "vat": vat.vat,
        "gross": vat.gross,
        "orderable": contents.orderable,
        "problems": [translate(problem) for problem in contents.problems],
        "token": contents.token,
    }
