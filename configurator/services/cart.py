"""The customer's cart: several saved configurations, each with a quantity,
ordered together in one checkout (`cart_checkout`).

The cart is stored (`store.cart.CartLine`), so it survives signing out; a guest's
cart is `guest_carts` (priced and shown as this one, moved here at sign-in). A line holds a configuration, and
the checkout orders its newest revision: a line whose newest revision cannot be
ordered as it is (incomplete, or saved with an older catalog) stays in the cart
with the reason and blocks the checkout until the customer fixes it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.engine import Catalog
from configurator.quoting.phrases import N_, Phrase
from configurator.services import checkout, deliveries, orders
from configurator.services.configuring import configurations
from configurator.services.configuring.selection import Selection
from configurator.services.errors import NotFound, NotOrderable
from configurator.services.offers import campaigns
from configurator.services.unit_of_work import use_case
from configurator.store.cart import CartLine
from configurator.store.models import CatalogVersion, Configuration, Revision, User
from configurator.store.types import utcnow

CENT = Decimal("0.01")
MAX_LINES = 20  # more different configurations in one order is a quote for sales


class PricedItem:
    """What the cart's totals read of an item, a signed-in customer's line or a guest's
    (`guest_carts.GuestItem`): its `snapshot` as the order would keep it (None when it
    cannot be ordered), `problem`, `vat`, `offer` and `quantity`, a `fingerprint` of
    what the customer saw; and for the page (partials/_cart.html) its `key`, `name`,
    catalog `version` and `selection`."""

    snapshot: dict[str, Any] | None

    @property
    def unit_total(self) -> Decimal | None:
        """The price of one, as it would be ordered now."""
        if self.snapshot is None:
            return None
        return Decimal(self.snapshot.get("unit_total", self.snapshot["total"]))

    @property
    def currency(self) -> str | None:
        """The catalog's currency."""
        return self.snapshot["catalog"]["currency"] if self.snapshot else None

    @property
    def recurring(self) -> deliveries.Recurrence | None:
        """Today apart from what is paid again (for all of them), for a subscription."""
        data = self.snapshot.get("recurring") if self.snapshot else None
        return deliveries.Recurrence.from_json(data) if data else None


@dataclass
class CartItem(PricedItem):
    """One line of the cart as the checkout would order it now."""

    line: CartLine
    configuration: Configuration
    revision: Revision  # the newest revision: what is ordered
    snapshot: dict[str, Any] | None  # as the order would keep it; None when it cannot be ordered
    problem: Phrase | str | None = None  # why it cannot be ordered as it is
    vat: checkout.VatBreakdown | None = None
    # The offer's reward this item would get ordered alone (for all of its quantity),
    # as an order keeps it (`campaigns.cart_offer`); the cart order gets the largest.
    offer: dict[str, Any] | None = None

    @property
    def quantity(self) -> int:
        """How many of the configuration."""
        return self.line.quantity

    @property
    def fingerprint(self) -> str:
        """The line, the revision and the quantity the customer saw."""
        return f"{self.line.id}:{self.configuration.id}:{self.revision.number}:{self.quantity}"

    @property
    def key(self) -> int:
        """The line's id (in the page's forms)."""
        return self.line.id

    @property
    def name(self) -> str:
        """The configuration's name."""
        return self.configuration.name

    @property
    def version(self) -> CatalogVersion:
        """The catalog version of the newest revision."""
        return self.revision.catalog_version

    @property
    def selection(self) -> dict[str, Any]:
        """The newest revision's picks."""
        return self.revision.selection


@dataclass
class Cart:
    """The cart's lines, its totals in the delivery country, and what blocks the checkout."""

    items: list[PricedItem]  # CartItems, or a guest's GuestItems
    country: str
    problems: list[Phrase | str] = field(default_factory=list)  # about the cart as a whole

    @property
    def empty(self) -> bool:
        """Whether nothing is in the cart."""
        return not self.items

    @property
    def orderable(self) -> bool:
        """Whether the checkout may order every line now."""
        return bool(self.items) and not self.problems and all(item.problem is None for item in self.items)

    @property
    def currency(self) -> str | None:
        """The one currency of the lines that can be ordered."""
        found = [item.currency for item in self.items if item.currency]
        return found[0] if found else None

    @property
    def offer(self) -> dict[str, Any] | None:
        """The one offer's reward of the order (kept as its `offer`): of the rewards the
        items would get each ordered alone, the one that takes the most off (the first
        item's on a tie), so a cart never gets less than its best item alone."""
        found = [item.offer for item in self.items if item.snapshot and item.offer]
        return min(found, key=lambda offer: Decimal(offer["amount"])) if found else None

    @property
    def total(self) -> Decimal:
        """What is paid today for every line that can be ordered, less the offer's reward."""
        lines = sum((Decimal(item.snapshot["total"]) for item in self.items if item.snapshot), Decimal(0))
        return lines + Decimal(self.offer["amount"] if self.offer else 0)

    @property
    def vat(self) -> checkout.VatBreakdown:
        """Net, VAT and gross of the whole cart in the delivery country."""
        return checkout.vat_breakdown(self.total, self.country, self.currency)

    @property
    def recurring(self) -> deliveries.Recurrence | None:
        """Today's total apart from what is paid again, when a line is a subscription."""
        return combined_recurrence(self.items, self.total)

    @property
    def token(self) -> str:
        """What the customer saw: lines, revisions and quantities. The checkout refuses
        an order when the cart changed after the review (another tab, another device)."""
        seen = ";".join(item.fingerprint for item in self.items)
        return hashlib.sha256(seen.encode()).hexdigest()[:32]


def combined_recurrence(items: list[PricedItem], total: Decimal) -> deliveries.Recurrence | None:
    """One recurrence for the order of all items: today is the whole total; what is paid
    again is the subscriptions' (one schedule: `problems` refuses several)."""
    recurring = [item.recurring for item in items if item.recurring is not None]
    recurring = [each for each in recurring if each.recurs]
    if not recurring:
        return None
    again = recurring[0]
    per_delivery = sum((each.per_delivery for each in recurring), Decimal(0))
    per_month = sum((each.per_month for each in recurring), Decimal(0))
    return deliveries.Recurrence(
        today=total.quantize(CENT),
        one_off=(total - per_delivery - per_month).quantize(CENT),
        per_delivery=per_delivery,
        per_month=per_month,
        every_days=again.every_days,
        every_months=again.every_months,
        schedule=again.schedule,
    )


def lines(session: Session, owner: User) -> list[CartLine]:
    """The owner's cart lines, first added first."""
    query = (
        sa.select(CartLine)
        .where(CartLine.owner_id == owner.id)
        .order_by(CartLine.added_at, CartLine.id)
    )
    return list(session.scalars(query))


def count(session: Session, owner: User) -> int:
    """How many items (quantities added up) are in the owner's cart, for the header."""
    total = session.scalar(
        sa.select(sa.func.sum(CartLine.quantity)).where(CartLine.owner_id == owner.id)
    )
    return int(total or 0)


def contents(session: Session, owner: User, country: str | None = None) -> Cart:
    """The cart as the checkout would order it now, priced for `country` (else the
    newest address's, else the customer's, else Germany)."""
    if not checkout.delivers_to(country):
        country = _default_country(session, owner)
    items = [_item(session, owner, line, country) for line in lines(session, owner)]
    return Cart(items=items, country=str(country).lower(), problems=problems_of(items))


@use_case
def add(
    session: Session, owner: User, configuration_id: int, quantity: int = 1,
    *, now: datetime | None = None,
) -> CartLine:
    """Put one's configuration into the cart, `quantity` times (added to what is
    there already). It may be incomplete: the cart says what to finish."""
    orders.check_quantity(quantity)
    configuration = configurations.get(session, owner, configuration_id)
    if configuration.owner_id != owner.id:
        raise NotFound("There is no such configuration.")
    line = session.scalar(
        sa.select(CartLine).where(
            CartLine.owner_id == owner.id, CartLine.configuration_id == configuration.id
        )
    )
    if line is None:
        if len(lines(session, owner)) >= MAX_LINES:
            raise NotOrderable(N_(
                "Your cart holds %(most)s configurations already; please order those first.",
                most=MAX_LINES))
        line = CartLine(
            owner_id=owner.id, configuration_id=configuration.id, quantity=0,
            added_at=now or utcnow(),
        )
        session.add(line)
    orders.check_quantity(line.quantity + quantity)
    line.quantity += quantity
    session.flush()
    return line


@use_case
def add_new(
    session: Session, owner: User, catalog_id: str, name: str, selection: Selection,
    *, now: datetime | None = None,
) -> CartLine:
    """Save the configurator's picks as a new configuration and put it into the cart, as one."""
    configuration = configurations.create(session, owner, catalog_id, name, selection, now=now)
    return add(session, owner, configuration.id, now=now)


@use_case
def save_and_add(
    session: Session, owner: User, configuration_id: int, base_number: int, selection: Selection,
    *, now: datetime | None = None,
) -> CartLine:
    """Save a saved configuration's unsaved picks as its next revision (unless unchanged)
    and put it into the cart, as one (StaleRevision: another tab saved first)."""
    configurations.revise(session, owner, configuration_id, base_number, selection, now=now)
    return add(session, owner, configuration_id, now=now)


@use_case
def change_line(
    session: Session, owner: User, line_id: int, base_number: int, selection: Selection,
    *, now: datetime | None = None,
) -> CartLine:
    """A line reopened in the configurator, saved: its configuration's next revision (unless
    unchanged; StaleRevision when another tab saved first). The line keeps its place and
    quantity, and the checkout orders the new revision."""
    line = _own_line(session, owner, line_id)
    configurations.revise(session, owner, line.configuration_id, base_number, selection, now=now)
    return line


def place_of(session: Session, owner: User, line_id: int) -> tuple[int, CartLine]:
    """One's line and its place in the cart, from 1 ("item 2 of your cart"); NotFound otherwise."""
    for place, line in enumerate(lines(session, owner), start=1):
        if line.id == line_id:
            return place, line
    raise NotFound("There is no such line in your cart.")


@use_case
def set_quantity(session: Session, owner: User, line_id: int, quantity: int) -> CartLine:
    """Change how many of a line are ordered (1..orders.MAX_QUANTITY)."""
    orders.check_quantity(quantity)
    line = _own_line(session, owner, line_id)
    line.quantity = quantity
    session.flush()
    return line


@use_case
def remove(session: Session, owner: User, line_id: int) -> None:
    """Take a line out of the cart (the configuration stays saved)."""
    session.delete(_own_line(session, owner, line_id))
    session.flush()


@use_case
def add_again(session: Session, owner: User, number: str, *, now: datetime | None = None) -> int:
    """Put the configurations of one's earlier cart order back into the cart, as many
    of each as then; returns how many lines. Deleted configurations are left out; what
    changed since shows in the cart (the newest revision is what is ordered)."""
    order = orders.get(session, owner, number)
    if order.owner_id != owner.id:
        raise NotFound("There is no such order.")
    added = 0
    for item in orders.items_of(order.snapshot):
        configuration_id = (item.get("configuration") or {}).get("id") or order.configuration_id
        if configuration_id is None or session.get(Configuration, configuration_id) is None:
            continue
        add(session, owner, configuration_id, int(item.get("quantity", 1)), now=now)
        added += 1
    return added


def empty(session: Session, owner: User) -> None:
    """Take every line out, within the caller's use case (the checkout's order)."""
    session.execute(sa.delete(CartLine).where(CartLine.owner_id == owner.id))


def _item(session: Session, owner: User, line: CartLine, country: str) -> CartItem:
    configuration = line.configuration
    try:
        _, revision, version, catalog = orders.orderable(session, owner, configuration.id)
    except NotOrderable as refused:
        latest = configurations.latest_revision(session, configuration)
        return CartItem(line, configuration, latest, None, refused.args[0])
    kept = item_snapshot(catalog, version, revision.selection, line.quantity, {
        "id": configuration.id, "name": configuration.name, "revision": revision.number,
    })
    vat = checkout.vat_breakdown(Decimal(kept["total"]), country, kept["catalog"]["currency"])
    offer = campaigns.cart_offer(session, owner, catalog, configuration, revision.selection,
                                 line.quantity)
    return CartItem(line, configuration, revision, kept, None, vat, offer)


def item_snapshot(
    catalog: Catalog, version: CatalogVersion, selection: Selection, quantity: int,
    configuration: dict[str, Any],
) -> dict[str, Any]:
    """An item as a cart order keeps it: choices and prices for `quantity` of them, with
    its own catalog version (an order's own column is its first item's) and `configuration`
    (its id, name and revision)."""
    kept = orders.times(orders.snapshot(catalog, version, selection), quantity)
    return {
        **kept,
        "quantity": quantity,
        "unit_total": kept.get("unit_total", kept["total"]),
        "catalog_version_id": version.id,
        "configuration": configuration,
    }


def problems_of(items: list[PricedItem]) -> list[Phrase | str]:
    """What keeps the lines from being one order, though each could be ordered alone."""
    problems: list[Phrase | str] = []
    currencies = sorted({item.currency for item in items if item.currency})
    if len(currencies) > 1:
        problems.append(N_(
            "One order is paid in one currency, and your cart has %(currencies)s. "
            "Please order them separately.", currencies=currencies))  # listed per language
    schedules = {
        (each.every_days, each.every_months)
        for each in (item.recurring for item in items)
        if each is not None and each.recurs
    }
    if len(schedules) > 1:
        problems.append(N_(
            "Subscriptions delivered on different schedules are ordered one at a time. "
            "Please remove all but one of them."))
    return problems


def _own_line(session: Session, owner: User, line_id: int) -> CartLine:
    line = session.get(CartLine, line_id)
    if line is None or line.owner_id != owner.id:
        raise NotFound("There is no such line in your cart.")
    return line


def _default_country(session: Session, owner: User) -> str:
    book = checkout.address_book(session, owner)
    for country in ([book[0].country] if book else []) + [owner.country or ""]:
        if checkout.delivers_to(country):
            return country.lower()
    return "de"
