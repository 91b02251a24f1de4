"""Orders: place one from a complete configuration with an immutable snapshot,
list them, and reorder after re-checking against the current catalog."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from configurator.engine import Catalog
from configurator.engine.rewards import Reward, RewardedPrice, apply
from configurator.quoting.phrases import N_
from configurator.services import catalogs, deliveries, paging, sequences, timeline
from configurator.services.configuring import configurations
from configurator.services.configuring.recheck import (
    Recheck,
    StartingPoint,
    recheck,
    starting_point,
)
from configurator.services.configuring.selection import Selection
from configurator.services.customer_value import valuation
from configurator.services.errors import NotFound, NotOrderable, StaleRevision
from configurator.services.paging import Page
from configurator.services.unit_of_work import use_case
from configurator.store.models import (
    CatalogVersion,
    Configuration,
    Order,
    OrderSequence,
    Revision,
    User,
    snapshot_items,
)
from configurator.store.types import utcnow

CENT = Decimal("0.01")
MAX_QUANTITY = 99  # more of one configuration is a quote for sales
NUMBER_MAX = 32  # far longer than any order number: longer text is never one


def new_number(session: Session, now: datetime) -> str:
    """The next order number of `now`'s year (UTC), like `ORD-2026-000123`: the
    123rd order of 2026, read out on the phone and sorted by date. Taken in the
    caller's unit of work, so a rolled-back order gives its number back. Orders
    placed before these numbers keep their random codes (`K7QF-3M2P`)."""
    year = now.astimezone(UTC).year
    return f"ORD-{year}-{sequences.next_number(session, OrderSequence, year):06d}"


def rewarded(catalog: Catalog, selection: Selection, reward: Reward | None) -> RewardedPrice | None:
    """An offer's reward on the selection's list prices (None: no reward, or it does not apply)."""
    return None if reward is None else apply(catalog.price(selection), reward)


def charged(catalog: Catalog, selection: Selection, reward: Reward | None = None) -> Decimal:
    """What the customer pays for the selection: list prices, less an offer's reward."""
    priced = rewarded(catalog, selection, reward)
    return catalog.price(selection).total if priced is None else priced.total


def snapshot(
    catalog: Catalog, version: CatalogVersion, selection: Selection, reward: Reward | None = None
) -> dict[str, Any]:
    """Choices with names and prices as they are now, for keeping forever; an offer's
    reward that applies is kept as the `offer` line, already taken off the total."""
    model = catalog.model
    breakdown = catalog.price(selection)
    lines = []
    for line in breakdown.lines:
        feature = model.feature(line.feature)
        lines.append(
            {
                "feature": line.feature,
                "feature_name": feature.name,
                "dimension": feature.dimension,
                "option": line.option,
                "option_name": line.name,
                "amount": str(Decimal(line.amount).quantize(CENT)),
            }
            | ({"recurring": line.recurring} if line.recurring else {})
        )
    kept: dict[str, Any] = {
        "catalog": {
            "id": model.id,
            "name": model.name,
            "currency": model.currency,
            "version": version.number,
            "declared_version": version.declared_version,
            "fingerprint": version.fingerprint,
        },
        "selection": dict(selection),
        "lines": lines,
        "total": str(Decimal(breakdown.total).quantize(CENT)),
    }
    if breakdown.recurs:  # today, once, per delivery, per month and the schedule
        kept["recurring"] = deliveries.recurrence(catalog, selection).to_json()
    priced = rewarded(catalog, selection, reward)
    if priced is not None:
        kept["offer"] = priced.to_json()
        kept["total"] = str(priced.total.quantize(CENT))
    return kept


def reward_reason(offer: dict[str, Any]) -> str:
    """An order's reward line ("Spring offer: 10 % off", "Spring offer: Bell free") as a
    phrase for the reader's language; the engine writes it in English, from the label."""
    reason, label = str(offer.get("reason", "")), str(offer.get("label", ""))
    rest = reason[len(label) + 2:] if label and reason.startswith(f"{label}: ") else None
    if rest is None:
        return reason
    if rest.endswith(" % off"):
        percent = rest[:-len(" % off")]
        reward = N_("%(percent)s %% off", percent=int(percent) if percent.isdigit() else percent)
    elif rest.endswith(" free"):
        reward = N_("%(addon)s free", addon=rest[:-len(" free")])
    else:
        return reason
    return N_("%(label)s: %(reward)s", label=label, reward=reward)


def check_quantity(quantity: int) -> None:
    """NotOrderable, in words, for a quantity outside 1..MAX_QUANTITY."""
    if not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise NotOrderable(N_(
            "Please order between 1 and %(most)s of a configuration; for more, ask us for a quote.",
            most=MAX_QUANTITY))


def times(kept: dict[str, Any], quantity: int) -> dict[str, Any]:
    """A snapshot for `quantity` of the configuration: its lines stay the prices of
    one (`unit_total`); the total and what is paid again are for all of them."""
    if quantity == 1:
        return kept
    kept = {**kept, "quantity": quantity, "unit_total": kept["total"]}
    kept["total"] = str((Decimal(kept["total"]) * quantity).quantize(CENT))
    if "offer" in kept:  # a percentage off, or a free option, on each of them
        offer = kept["offer"]
        kept["offer"] = {**offer, "amount": str((Decimal(offer["amount"]) * quantity).quantize(CENT))}
    if "recurring" in kept:
        kept["recurring"] = {
            key: str((Decimal(value) * quantity).quantize(CENT))
            if key in ("today", "one_off", "per_delivery", "per_month") else value
            for key, value in kept["recurring"].items()
        }
    return kept


def items_of(kept: dict[str, Any]) -> list[dict[str, Any]]:
    """The configured items of an order's snapshot (`store.models.snapshot_items`)."""
    return snapshot_items(kept)


def title_of(kept: dict[str, Any]) -> str:
    """What an order is of, in a few words: the product line, or the cart's configurations."""
    if "items" in kept:
        return ", ".join(item["configuration"]["name"] for item in kept["items"])
    return kept["catalog"]["name"]


def quantity_of(order: Order) -> int:
    """How many of the configuration the order is for."""
    return int(order.snapshot.get("quantity", 1))


def snapshot_lines(order: Order) -> dict[tuple[str, str], tuple[str, str, Decimal]]:
    """(feature, option) -> (feature name, option name, price) as ordered."""
    return item_lines(order.snapshot)


def item_lines(item: dict[str, Any]) -> dict[tuple[str, str], tuple[str, str, Decimal]]:
    """`snapshot_lines` of one configured item of an order (`items_of`)."""
    return {
        (line["feature"], line["option"]): (
            line["feature_name"],
            line["option_name"],
            Decimal(line["amount"]),
        )
        for line in item["lines"]
    }


def orderable(
    session: Session, owner: User, configuration_id: int, revision_number: int | None = None
) -> tuple[Configuration, Revision, CatalogVersion, Catalog]:
    """The configuration, its revision (the newest unless given), today's catalog
    version and its engine catalog, when that revision may be ordered as it is.

    NotOrderable when it is incomplete, no longer valid, or made with an older
    catalog version (the customer reviews it in the configurator first).
    """
    configuration = configurations.get(session, owner, configuration_id)
    if configuration.owner_id != owner.id:
        raise NotFound("There is no such configuration.")
    revision = (
        configurations.latest_revision(session, configuration)
        if revision_number is None
        else configurations.revision(session, owner, configuration_id, revision_number)
    )
    version = catalogs.current(session, configuration.catalog_id)
    if revision.catalog_version_id != version.id:
        raise NotOrderable(N_(
            "The catalog has changed since this revision was saved. "
            "Open it to see what changed, save it again, then order."))
    catalog = catalogs.engine_catalog(version)
    state = catalog.domains(revision.selection, customer=owner.facts())
    if not state.complete:
        raise NotOrderable(N_(
            "Only complete configurations can be ordered. Finish the open choices first."))
    return configuration, revision, version, catalog


@use_case
def place(
    session: Session,
    owner: User,
    configuration_id: int,
    revision_number: int | None = None,
    *,
    now: datetime | None = None,
    extra: dict[str, Any] | None = None,
    reward: Reward | None = None,
    quantity: int = 1,
) -> Order:
    """Order the newest (or given) revision of one's configuration, `quantity` times.

    NotOrderable when it is incomplete, no longer valid, or made with an older
    catalog version (the customer reviews it in the configurator first).
    `extra` is kept in the snapshot too (the checkout's address, VAT and terms):
    a placed order's snapshot never changes. `reward`: an offer's reward, taken
    off the total when it applies (the caller checked the customer may have it).
    """
    already = placed_from(session, owner, configuration_id, revision_number)
    if already is not None:
        return already  # the same order form posted again (a double click, a retry)
    configuration, revision, version, catalog = orderable(
        session, owner, configuration_id, revision_number
    )
    # A twin request racing this one past the check above meets the unique
    # revision_id: it is refused (try again), and a retry gets the order above.
    order = _new_order(
        session,
        owner,
        catalog,
        version,
        revision.selection,
        now=now,
        extra=extra,
        reward=reward,
        quantity=quantity,
        configuration_id=configuration.id,
        revision_id=revision.id,
    )
    timeline.record(
        session,
        owner.id,
        "ordered",
        N_("Order %(number)s: %(title)s", number=order.number, title=configuration.name),
        {
            "order": order.number,
            "configuration_id": configuration.id,
            "revision": revision.number,
            "total": str(order.total),
        },
        now=order.created_at,
    )
    valuation.after_order(session, owner, order)  # revenue, RFM and tier include this order
    return order


@use_case
def save_and_place(
    session: Session,
    owner: User,
    configuration_id: int,
    base_number: int,
    selection: Selection,
    *,
    now: datetime | None = None,
) -> Order:
    """Save the picks as the next revision (unless unchanged) and order it, as one.

    The customer's "Place order" with picks not saved yet: when the order is
    refused (NotOrderable, InvalidSelection, StaleRevision), the revision is not
    kept either, so no half of it is left behind.
    """
    try:
        revision = configurations.revise(
            session, owner, configuration_id, base_number, selection, now=now
        )
    except StaleRevision:
        # The same form posted again: its first post saved these picks and ordered them.
        latest = configurations.latest_revision(
            session, configurations.get(session, owner, configuration_id)
        )
        already = _order_of_revision(session, latest.id)
        if already is None or latest.selection != selection:
            raise
        return already
    return place(session, owner, configuration_id, revision.number, now=now)


@use_case
def save_for_checkout(
    session: Session,
    owner: User,
    configuration_id: int,
    base_number: int,
    selection: Selection,
    *,
    now: datetime | None = None,
) -> Revision:
    """Save the picks as the next revision (unless unchanged) for the checkout's review.

    Refused like an order (NotOrderable, InvalidSelection, StaleRevision), and
    then the revision is not kept either: only what can be ordered is reviewed.
    """
    revision = configurations.revise(
        session, owner, configuration_id, base_number, selection, now=now
    )
    orderable(session, owner, configuration_id, revision.number)
    return revision


def get(session: Session, viewer: User, number: str) -> Order:
    """An order its owner (or staff) may see; NotFound otherwise (also for text that
    cannot be an order number, which never reaches the database)."""
    if not number.isprintable() or len(number) > NUMBER_MAX:
        raise NotFound("There is no such order.")
    order = session.scalar(sa.select(Order).where(Order.number == number.strip().upper()))
    if order is None or not (order.owner_id == viewer.id or viewer.is_staff):
        raise NotFound("There is no such order.")
    return order


def list_for(session: Session, owner: User, *, limit: int = 50, offset: int = 0) -> list[Order]:
    """The owner's orders, newest first."""
    query = (
        sa.select(Order)
        .where(Order.owner_id == owner.id)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))


def page_for(
    session: Session, owner: User, *, cursor: str | None = None, size: int | None = None
) -> Page[Order]:
    """One page of "My orders", newest first (keyset paging; see `paging`)."""
    query = sa.select(Order).where(Order.owner_id == owner.id)
    return paging.keyset_page(
        session, query, (Order.created_at, Order.id), lambda o: (o.created_at, o.id), cursor, size
    )


def recheck_order(
    session: Session, viewer: User, number: str
) -> tuple[Order, CatalogVersion, Recheck]:
    """The order, the current catalog version, and how the order fits it now.

    NotOrderable for an order made from a quote: its lines are quote lines at
    negotiated prices, not one configuration the shop could order again.
    """
    order = get(session, viewer, number)
    if "items" in order.snapshot:  # from the cart: `cart.add_again` puts its items back
        raise NotOrderable(N_(
            "Order %(number)s holds several configurations; put them into your cart again "
            "from the order's page.", number=order.number))
    if order.from_quote:
        raise NotOrderable(
            f"Order {order.number} came from {order.snapshot['catalog']['name'].lower()}; "
            "ask your sales contact for a new quote to order it again."
        )
    version = catalogs.current(session, order.snapshot["catalog"]["id"])
    owner = order.owner
    result = recheck(
        catalogs.engine_catalog(version),
        order.snapshot["selection"],
        snapshot_lines(order),
        owner.facts(),
    )
    return order, version, result


def start_from(
    session: Session, viewer: User, number: str, *, for_catalog: str | None = None,
    item: int | None = None,
) -> StartingPoint:
    """The configurator starting from one's order, re-checked against today's catalog.

    An order from the cart holds several items: it starts from its `item` (an index
    in `items_of`), by default its first item of `for_catalog`.
    NotFound for someone else's order or an item it does not have; NotOrderable for an
    order made from a quote; InvalidSelection for an order (or item) of another
    product line than `for_catalog`.
    """
    order = get(session, viewer, number)
    label = f"order {order.number}"
    if "items" in order.snapshot:
        kept = _item_to_start_from(order, for_catalog, item)
        version = catalogs.current(session, kept["catalog"]["id"])
        result = recheck(catalogs.engine_catalog(version), kept["selection"], item_lines(kept),
                         order.owner.facts())
    else:
        _, version, result = recheck_order(session, viewer, number)
    configurations.check_product_line(session, version, for_catalog, label)
    return starting_point(result, label)


def _item_to_start_from(order: Order, for_catalog: str | None, item: int | None) -> dict[str, Any]:
    items = items_of(order.snapshot)
    if item is None:
        of_line = [kept for kept in items if kept["catalog"]["id"] == for_catalog]
        return (of_line or items)[0]  # none of the line: the product line check says so
    if not 0 <= item < len(items):
        raise NotFound("There is no such order.")
    return items[item]


def earlier_number(session: Session, order: Order) -> str | None:
    """The number of the order this one reordered, if it is a reorder."""
    if order.reorder_of_id is None:
        return None
    return session.scalar(sa.select(Order.number).where(Order.id == order.reorder_of_id))


@use_case
def reorder(session: Session, owner: User, number: str, *, now: datetime | None = None) -> Order:
    """Order again exactly what an earlier order had, at today's prices.

    NotOrderable when something no longer fits; the customer then starts from
    the repaired configuration instead.
    """
    order, version, result = recheck_order(session, owner, number)
    if order.owner_id != owner.id:
        raise NotFound("There is no such order.")
    if not result.fits:
        raise NotOrderable(N_(
            "This order no longer fits the catalog as it is today; see what changed."))
    catalog = catalogs.engine_catalog(version)
    again = _new_order(
        session,
        owner,
        catalog,
        version,
        result.kept,
        now=now,
        quantity=quantity_of(order),
        configuration_id=order.configuration_id,
        reorder_of_id=order.id,
    )
    timeline.record(
        session,
        owner.id,
        "reordered",
        N_("Order %(number)s, again from %(previous)s", number=again.number,
           previous=order.number),
        {
            "order": again.number,
            "reorder_of": order.number,
            "total": str(again.total),
            "total_then": str(order.total),
        },
        now=again.created_at,
    )
    valuation.after_order(session, owner, again)
    return again


def _new_order(
    session: Session,
    owner: User,
    catalog: Catalog,
    version: CatalogVersion,
    selection: Selection,
    *,
    now: datetime | None,
    extra: dict[str, Any] | None = None,
    reward: Reward | None = None,
    quantity: int = 1,
    **links: Any,
) -> Order:
    now = now or utcnow()
    check_quantity(quantity)
    # Holidays of the delivery country count when the checkout gave one.
    country = (extra or {}).get("checkout", {}).get("country")
    estimate = deliveries.estimated_delivery(catalog, selection, now, country)
    kept = {
        **times(snapshot(catalog, version, selection, reward), quantity),
        "estimated_delivery": estimate.isoformat(),
        **(extra or {}),
    }
    order = Order(
        number=new_number(session, now),
        owner_id=owner.id,
        catalog_version_id=version.id,
        snapshot=kept,
        total=Decimal(kept["total"]),
        currency=version.currency,
        created_at=now,
        **links,
    )
    return add_placed(session, order)


def add_placed(session: Session, order: Order) -> Order:
    """Keep a new order and plan its deliveries from the day it was placed.

    NotOrderable when the database refuses it: its revision was ordered
    meanwhile (one order per revision), or its number was taken meanwhile.
    """
    session.add(order)
    try:
        session.flush()
    except IntegrityError as error:
        raise NotOrderable(N_("The order could not be placed; please try again.")) from error
    deliveries.plan(session, order, today=order.created_at.date())
    return order


def placed_from(
    session: Session, owner: User, configuration_id: int, revision_number: int | None
) -> Order | None:
    """The order already placed from that revision (the newest unless given), if any:
    a form posted twice, or a retry, gets it instead of a second order."""
    configuration = configurations.get(session, owner, configuration_id)
    if configuration.owner_id != owner.id:
        return None  # staff may see it, but only its owner orders it (orderable says so)
    revision = (
        configurations.latest_revision(session, configuration)
        if revision_number is None
        else configurations.revision(session, owner, configuration_id, revision_number)
    )
    return _order_of_revision(session, revision.id)


def _order_of_revision(session: Session, revision_id: int) -> Order | None:
    """The order placed from this revision, if any (there is at most one)."""
    return session.scalar(sa.select(Order).where(Order.revision_id == revision_id))
