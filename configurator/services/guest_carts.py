"""A guest's cart: a shopper without an account keeps several configured products,
with quantities, for one checkout (`guest_cart_checkout`), priced and shown as a
customer's cart (`cart.Cart`) with the prices and rules of any visitor (no
personal offer: a guest has none).

The browser holds the cart's random token in its signed session cookie; the
database keeps its SHA-256 only, and every use case here finds the cart by the
token alone, so nobody reaches a cart without its cookie. An item keeps its own
catalog version and picks; one made with an older catalog version, or left
incomplete, stays in the cart with the reason and blocks the checkout until the
guest reopens it in the configurator and adds it again (`change`).

At sign-in the items move into the account's cart (`move_to_account`). A cart
left alone for 30 days is deleted by the worker's periodic `expire`; until then
an expired cart is no longer found (nor changed) through its token.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.engine import SelectionError
from configurator.quoting.phrases import N_, Phrase
from configurator.services import cart, catalogs, checkout, orders, sign_ins
from configurator.services.configuring import configurations
from configurator.services.configuring.selection import Selection
from configurator.services.errors import NotFound, NotOrderable
from configurator.services.guest_orders import GUEST_FACTS
from configurator.services.unit_of_work import use_case
from configurator.store.cart import CartLine
from configurator.store.guest_carts import GuestCart, GuestCartItem
from configurator.store.models import CatalogVersion, Configuration, User
from configurator.store.types import utcnow

LIFETIME = timedelta(days=30)  # a cart nobody changed for this long is cleaned away
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
CATALOG_CHANGED = N_("The catalog has changed since you added this. Open it to see what "
                     "changed and add it to your cart again.")
INCOMPLETE = N_("Only complete configurations can be ordered. Finish the open choices first.")


@dataclass
class GuestItem(cart.PricedItem):
    """One item of a guest's cart as the checkout would order it now."""

    item: GuestCartItem
    snapshot: dict[str, Any] | None  # as the order would keep it; None when it cannot be ordered
    problem: Phrase | str | None = None
    vat: checkout.VatBreakdown | None = None
    offer: dict[str, Any] | None = None  # a guest gets no personal offer

    @property
    def quantity(self) -> int:
        """How many of it."""
        return self.item.quantity

    @property
    def fingerprint(self) -> str:
        """The item, its catalog version, its picks and the quantity the guest saw."""
        picks = json.dumps(self.item.selection, sort_keys=True)
        seen = hashlib.sha256(picks.encode()).hexdigest()[:16]
        return f"{self.item.id}:{self.item.catalog_version_id}:{seen}:{self.quantity}"

    @property
    def key(self) -> int:
        """The item's id (in the page's forms)."""
        return self.item.id

    @property
    def name(self) -> str:
        """The name the guest gave it."""
        return self.item.name

    @property
    def version(self) -> CatalogVersion:
        """The catalog version it was made with."""
        return self.item.catalog_version

    @property
    def selection(self) -> dict[str, Any]:
        """Its picks."""
        return self.item.selection


def new_token() -> str:
    """A new cart's token, for the browser's cookie (the database keeps its digest)."""
    return secrets.token_urlsafe(32)


def find(session: Session, token: str | None, *, now: datetime | None = None) -> GuestCart | None:
    """The cart of `token`, unless there is none or it expired."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        return None
    found = session.scalar(sa.select(GuestCart).where(GuestCart.token_hash == sign_ins.digest(token)))
    if found is None or found.changed_at <= (now or utcnow()) - LIFETIME:
        return None
    return found


def count(session: Session, token: str | None) -> int:
    """How many items (quantities added up) the cart holds, for the header."""
    found = find(session, token)
    return sum(item.quantity for item in found.items) if found else 0


def contents(session: Session, token: str | None, country: str | None = "de") -> cart.Cart:
    """The cart as the checkout would order it now, priced for `country` (else Germany)."""
    country = (country or "de").lower() if checkout.delivers_to(country) else "de"
    found = find(session, token)
    items = [_priced(session, item, country) for item in (found.items if found else [])]
    return cart.Cart(items=items, country=country, problems=cart.problems_of(items))


def item_of(session: Session, token: str | None, item_id: int) -> GuestCartItem:
    """One item of the cart of `token` (to reopen it in the configurator); NotFound otherwise."""
    return place_of(session, token, item_id)[1]


def place_of(session: Session, token: str | None, item_id: int) -> tuple[int, GuestCartItem]:
    """One item of the cart of `token` and its place in it, from 1; NotFound otherwise."""
    found = find(session, token)
    for place, item in enumerate(found.items if found else [], start=1):
        if item.id == item_id:
            return place, item
    raise NotFound(N_("There is no such item in your cart."))


@use_case
def add(session: Session, token: str, catalog_id: str, name: str, selection: Selection,
        quantity: int = 1, *, now: datetime | None = None) -> GuestCartItem:
    """Put picks of today's catalog into the cart of `token` (made at its first item),
    `quantity` times; the same picks again raise that item's quantity. Incomplete picks
    may wait in the cart (it says what to finish); picks the catalog refuses may not."""
    now = now or utcnow()
    orders.check_quantity(quantity)
    version = catalogs.current(session, catalog_id)
    selection = _checked(version, selection)
    basket = _own_cart(session, token, now)
    item = next((each for each in basket.items
                 if each.catalog_version_id == version.id and each.selection == selection), None)
    if item is None:
        if len(basket.items) >= cart.MAX_LINES:
            raise NotOrderable(N_(
                "Your cart holds %(most)s configurations already; please order those first.",
                most=cart.MAX_LINES))
        item = GuestCartItem(catalog_id=catalog_id, catalog_version_id=version.id,
                             name=configurations.clean_name(name, version.name),
                             selection=selection, quantity=0, added_at=now)
        basket.items.append(item)
    orders.check_quantity(item.quantity + quantity)
    item.quantity += quantity
    session.flush()
    return item


@use_case
def change(session: Session, token: str, item_id: int, name: str, selection: Selection,
           *, now: datetime | None = None) -> GuestCartItem:
    """The reopened item with the configurator's picks, on today's catalog (its quantity stays)."""
    now = now or utcnow()
    item = item_of(session, token, item_id)
    version = catalogs.current(session, item.catalog_id)
    item.selection = _checked(version, selection)
    item.catalog_version_id = version.id
    item.name = configurations.clean_name(name, version.name)
    item.cart.changed_at = now
    session.flush()
    return item


@use_case
def set_quantity(session: Session, token: str, item_id: int, quantity: int,
                 *, now: datetime | None = None) -> GuestCartItem:
    """Change how many of an item are ordered (1..orders.MAX_QUANTITY)."""
    orders.check_quantity(quantity)
    item = item_of(session, token, item_id)
    item.quantity = quantity
    item.cart.changed_at = now or utcnow()
    session.flush()
    return item


@use_case
def remove(session: Session, token: str, item_id: int, *, now: datetime | None = None) -> None:
    """Take an item out of the cart."""
    item = item_of(session, token, item_id)
    item.cart.changed_at = now or utcnow()
    item.cart.items.remove(item)
    session.flush()


@use_case
def move_to_account(session: Session, token: str | None, account: User,
                    *, now: datetime | None = None) -> int:
    """At sign-in: the cart's items into `account`'s cart, each as a saved configuration
    with its own catalog version, and the guest cart is gone. An item with the same picks
    as a line of the account's cart is not added twice: that line keeps the larger of the
    two quantities. Returns how many items were added or raised."""
    now = now or utcnow()
    found = find(session, token, now=now)
    if found is None or account.role != "customer":
        return 0
    moved = sum(_move_item(session, item, account, now) for item in found.items)
    session.delete(found)
    session.flush()
    return moved


def lock(session: Session, token: str | None) -> None:
    """Within the caller's use case (the checkout): hold the cart of `token` until the
    use case ends, so a second checkout of it at the same moment waits, then finds it
    ordered and gone."""
    if isinstance(token, str) and TOKEN.fullmatch(token):
        session.scalar(sa.select(GuestCart.id).where(
            GuestCart.token_hash == sign_ins.digest(token)).with_for_update())


def take(session: Session, token: str) -> None:
    """Within the caller's use case (the checkout's order): the cart of `token` is gone."""
    found = find(session, token)
    if found is not None:
        session.delete(found)
        session.flush()


@use_case
def expire(session: Session, *, now: datetime | None = None) -> int:
    """Delete the guest carts nobody changed for 30 days (the worker's periodic job);
    returns how many."""
    cutoff = (now or utcnow()) - LIFETIME
    old = list(session.scalars(sa.select(GuestCart).where(GuestCart.changed_at <= cutoff)))
    for each in old:
        session.delete(each)
    session.flush()
    return len(old)


def _own_cart(session: Session, token: str, now: datetime) -> GuestCart:
    """The cart of `token` to change, made at its first item (an expired one starts afresh)."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        raise NotFound(N_("There is no such item in your cart."))
    digest = sign_ins.digest(token)
    found = session.scalar(sa.select(GuestCart).where(GuestCart.token_hash == digest))
    if found is not None and found.changed_at <= now - LIFETIME:
        session.delete(found)
        session.flush()
        found = None
    if found is None:
        found = GuestCart(token_hash=digest, created_at=now, changed_at=now)
        session.add(found)
    found.changed_at = now
    return found


def _checked(version: CatalogVersion, selection: Selection) -> dict[str, Any]:
    """The picks as kept, when the catalog knows them (they may be incomplete);
    InvalidSelection otherwise."""
    configurations.priced(catalogs.engine_catalog(version), selection, GUEST_FACTS)
    return dict(selection)


def _priced(session: Session, item: GuestCartItem, country: str) -> GuestItem:
    """The item as it would be ordered now, or why it cannot be."""
    try:
        version = catalogs.current(session, item.catalog_id)
    except NotFound:
        return GuestItem(item, None, CATALOG_CHANGED)
    if item.catalog_version_id != version.id:
        return GuestItem(item, None, CATALOG_CHANGED)
    catalog = catalogs.engine_catalog(version)
    try:
        complete = catalog.domains(item.selection, customer=GUEST_FACTS).complete
    except (SelectionError, KeyError, TypeError, ValueError):
        complete = False
    if not complete:
        return GuestItem(item, None, INCOMPLETE)
    kept = cart.item_snapshot(catalog, version, item.selection, item.quantity,
                              {"id": None, "name": item.name, "revision": 1})
    return GuestItem(item, kept, None, checkout.vat_breakdown(Decimal(kept["total"]), country,
                                                              kept["catalog"]["currency"]))


def _move_item(session: Session, item: GuestCartItem, account: User, now: datetime) -> int:
    """One guest item into the account's cart; 1 when it added or raised a line."""
    same = _same_line(session, account, item)
    if same is not None:
        if same.quantity >= item.quantity:
            return 0
        same.quantity = item.quantity
        return 1
    configuration = configurations.create(session, account, item.catalog_id, item.name,
                                          item.selection, version=item.catalog_version, now=now)
    cart.add(session, account, configuration.id, item.quantity, now=now)
    return 1


def _same_line(session: Session, account: User, item: GuestCartItem) -> CartLine | None:
    """The account's cart line whose newest revision has the item's catalog version and picks."""
    for line in cart.lines(session, account):
        latest = configurations.latest_revision(session, session.get(Configuration,
                                                                     line.configuration_id))
        if latest.catalog_version_id == item.catalog_version_id \
                and latest.selection == item.selection:
            return line
    return None
