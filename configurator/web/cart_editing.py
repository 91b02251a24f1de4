"""A cart item reopened in the configurator, for guests and signed-in customers alike.

Reopening an item (the cart's "Change the configuration") remembers it in the session;
while it is remembered, the configurator of that item shows the banner
partials/_cart_editing.html: "Editing item 2 of your cart: Racer" with "Save changes to
this item", "Add as a new item" and "Stop editing", each a POST of the configurator's
form (CSRF token and picks). Each of them ends the editing. A guest's item is reopened
in the shop's configurator (web/shop/guest_cart.py), a customer's cart line on its
saved configuration's page (web/account/cart.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import session, url_for
from flask_login import current_user

from configurator.services import cart, guest_carts
from configurator.services.errors import NotFound
from configurator.web.database import db

GUEST_KEY = "guest_cart_edit"  # {"catalog": product line, "item": guest cart item id}
ACCOUNT_KEY = "cart_edit"  # {"configuration": configuration id, "line": cart line id}


@dataclass(frozen=True)
class CartEditing:
    """What the banner shows and where its three buttons post."""

    position: int  # from 1, as the cart lists the items
    name: str
    save_url: str
    new_url: str
    stop_url: str


def start_guest(catalog_id: str, item_id: int) -> None:
    """A guest reopened an item of their cart in the configurator of `catalog_id`."""
    session[GUEST_KEY] = {"catalog": catalog_id, "item": item_id}


def start_account(configuration_id: int, line_id: int) -> None:
    """A customer reopened a line of their cart on its configuration's page."""
    session[ACCOUNT_KEY] = {"configuration": configuration_id, "line": line_id}


def stop() -> None:
    """Nothing is being edited any more (saved, added as new, stopped, or gone)."""
    session.pop(GUEST_KEY, None)
    session.pop(ACCOUNT_KEY, None)


def guest_item(catalog_id: str) -> int | None:
    """The id of the guest's item being edited in the configurator of `catalog_id`."""
    editing = session.get(GUEST_KEY) or {}
    if current_user.is_authenticated or editing.get("catalog") != catalog_id:
        return None
    return int(editing["item"])


def account_line(configuration_id: int) -> int | None:
    """The id of the customer's cart line being edited on this configuration's page."""
    editing = session.get(ACCOUNT_KEY) or {}
    if not current_user.is_authenticated or editing.get("configuration") != configuration_id:
        return None
    return int(editing["line"])


def for_guest(catalog_id: str, token: str | None) -> CartEditing | None:
    """The banner of the shop's configurator of `catalog_id`, if a guest edits an item there."""
    item_id = guest_item(catalog_id)
    if item_id is None:
        return None
    try:
        place, item = guest_carts.place_of(db.session, token, item_id)
    except NotFound:  # removed meanwhile (another tab), or the cart moved at sign-in
        stop()
        return None
    return CartEditing(
        place, item.name,
        save_url=url_for("shop.guest_cart_save", item_id=item.id),
        new_url=url_for("shop.guest_cart_add_new", item_id=item.id),
        stop_url=url_for("shop.guest_cart_stop", item_id=item.id),
    )


def for_account(configuration_id: int) -> CartEditing | None:
    """The banner of a saved configuration's page, if the customer edits its cart line."""
    line_id = account_line(configuration_id)
    if line_id is None:
        return None
    try:
        place, line = cart.place_of(db.session, current_user, line_id)
    except NotFound:
        stop()
        return None
    if line.configuration_id != configuration_id:
        return None
    return CartEditing(
        place, line.configuration.name,
        save_url=url_for("account.cart_save", line_id=line.id),
        new_url=url_for("account.cart_add_new", line_id=line.id),
        stop_url=url_for("account.cart_stop", line_id=line.id),
    )
